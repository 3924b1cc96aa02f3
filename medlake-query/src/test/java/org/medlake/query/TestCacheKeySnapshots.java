package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.cache.ResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;

/** A load committed while a query is between its cache lookup and its planning. */
class TestCacheKeySnapshots {
  private static final String COUNT = "SELECT count(*) FROM lab_results";

  @Test
  void anAnswerIsCachedUnderTheSnapshotsItWasPlannedOn(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
      long first = lakehouse.labResults().currentSnapshot().snapshotId();
      // the first lookup misses, and a monthly load commits before the query plans: a real commit,
      // deterministically placed
      CommitOnFirstMiss cache =
          new CommitOnFirstMiss(
              () -> LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 200, 40));
      QueryService service = new QueryService(lakehouse, QueryConfig.defaults(), cache);

      QueryResult current =
          service.run(request(AsOf.CURRENT), Role.ANALYST, "analyst", UnaryOperator.identity());
      assertThat(cache.committed).isTrue();
      assertThat(current.table().rows()).containsExactly(List.of(500L));
      assertThat(current.snapshotIds().get("lab_results")).isNotEqualTo(first);

      QueryResult asOfFirst =
          service.run(
              request(AsOf.snapshot(first)), Role.ANALYST, "analyst", UnaryOperator.identity());
      assertThat(asOfFirst.table().rows())
          .as("the first snapshot's answer, not the second's")
          .containsExactly(List.of(300L));
      QueryResult again =
          service.run(request(AsOf.CURRENT), Role.ANALYST, "analyst", UnaryOperator.identity());
      assertThat(again.cached()).isTrue();
      assertThat(again.table().rows()).containsExactly(List.of(500L));
    }
  }

  private static QueryRequest request(AsOf asOf) {
    return new QueryRequest(COUNT, List.of(), Set.of("lab_results"), Map.of(), Set.of(), asOf);
  }

  interface Load {
    void run() throws Exception;
  }

  /** The in-process cache, with a commit to the lake right after its first miss. */
  private static final class CommitOnFirstMiss implements ResultCache {
    private final InProcessResultCache cache = new InProcessResultCache(100);
    private final Load load;
    private boolean committed;

    CommitOnFirstMiss(Load load) {
      this.load = load;
    }

    @Override
    public Optional<QueryResult> get(String key) {
      Optional<QueryResult> hit = cache.get(key);
      if (hit.isEmpty() && !committed) {
        committed = true;
        try {
          load.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return hit;
    }

    @Override
    public void put(String key, QueryResult result) {
      cache.put(key, result);
    }
  }
}
