package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQuery;

class TestBoundRequests {
  private static final String OLD = "SELECT count(*) AS n FROM lab_results";
  private static final String EDITED = "SELECT count(DISTINCT patient_key) AS n FROM lab_results";

  @Test
  void anEditedTemplateIsNeverAnsweredWithTheBindingOfTheOldOne() {
    // two loads of one query name with different templates whose objects share an identity hash
    // code
    // (they are not unique: searched for among live objects until two collide)
    Map<Integer, PredefinedQuery> seen = new HashMap<>();
    PredefinedQuery old = null;
    PredefinedQuery edited = null;
    for (int i = 0; old == null && i < 2_000_000; i++) {
      PredefinedQuery query = query(i % 2 == 0 ? OLD : EDITED);
      PredefinedQuery same = seen.putIfAbsent(System.identityHashCode(query), query);
      if (same != null && !same.sql().equals(query.sql())) {
        old = same.sql().equals(OLD) ? same : query;
        edited = same.sql().equals(OLD) ? query : same;
      }
    }
    assertThat(old).as("two objects with one identity hash code").isNotNull();
    seen.clear();

    BoundRequests bound = new BoundRequests();
    assertThat(bound.bind(old, Map.of(), AsOf.CURRENT).sql()).isEqualTo(OLD);
    assertThat(bound.bind(edited, Map.of(), AsOf.CURRENT).sql()).isEqualTo(EDITED);
  }

  @Test
  void anUnchangedQueryReadAgainReusesItsBinding() {
    BoundRequests bound = new BoundRequests();
    QueryRequest first = bound.bind(query(OLD), Map.of(), AsOf.CURRENT);
    assertThat(bound.bind(query(OLD), Map.of(), AsOf.CURRENT)).isSameAs(first);
    assertThat(bound.bind(query(OLD), Map.of(), AsOf.snapshot(7))).isNotSameAs(first);
  }

  private static PredefinedQuery query(String sql) {
    return new PredefinedQuery(
        "volume", "Volume", "", List.of(), sql, Map.of(), List.of(), null, List.of());
  }
}
