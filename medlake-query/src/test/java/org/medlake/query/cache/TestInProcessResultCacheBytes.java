package org.medlake.query.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * The in-process cache is bounded in bytes, not only in entries (issue 17, point 2): answers near
 * the result limit cannot pile up.
 */
class TestInProcessResultCacheBytes {
  @Test
  void largeAnswersAreEvictedByTheirSize() {
    InProcessResultCache cache = new InProcessResultCache(1000, 10L << 20);
    for (int i = 0; i < 20; i++) {
      cache.put("key-" + i, answer(1 << 20));
    }
    cache.cleanUp();
    long kept =
        java.util.stream.IntStream.range(0, 20)
            .filter(i -> cache.get("key-" + i).isPresent())
            .count();
    assertThat(kept).as("1 MiB answers in a 10 MiB cache").isBetween(1L, 10L);
  }

  @Test
  void theEntryBoundStillHolds() {
    InProcessResultCache cache = new InProcessResultCache(5, 10L << 20);
    for (int i = 0; i < 50; i++) {
      cache.put("key-" + i, answer(10));
    }
    cache.cleanUp();
    assertThat(
            java.util.stream.IntStream.range(0, 50)
                .filter(i -> cache.get("key-" + i).isPresent())
                .count())
        .isBetween(1L, 5L);
  }

  private static QueryResult answer(int characters) {
    List<List<Object>> rows = new ArrayList<>();
    rows.add(List.of("x".repeat(characters)));
    return new QueryResult(
        new ResultTable(List.of(new ResultColumn("v", "VARCHAR")), rows),
        1,
        1,
        Map.of(),
        1,
        false,
        0);
  }
}
