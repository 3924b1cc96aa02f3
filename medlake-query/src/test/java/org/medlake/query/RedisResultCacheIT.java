package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.RedisResultCache;
import org.medlake.query.cache.ResultCache;
import org.medlake.query.cache.ResultCaches;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.testkit.RedisServer;

/** Two query services (as two servers would) share one real Redis. */
class RedisResultCacheIT {
  @TempDir Path directory;

  @Test
  void aResultComputedByOneServiceIsServedToTheOtherWithTheSameTypes() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    Path redisDirectory = Files.createDirectories(directory.resolve("redis"));
    try (RedisServer redis = RedisServer.start(redisDirectory);
        Lakehouse lakehouse = Lakehouse.open(home)) {
      LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 120, 30);
      QueryConfig config = QueryConfig.defaults().withRedis(redis.url());
      ResultCache first = ResultCaches.create(config);
      ResultCache second = ResultCaches.create(config);
      assertThat(first).isInstanceOf(RedisResultCache.class);
      QueryRequest request =
          new QueryRequest(
              "SELECT test_code, count(*) AS n, avg(value_numeric) AS mean, max(collected_at) AS last, list(DISTINCT patient_sex ORDER BY patient_sex) AS sexes"
                  + " FROM lab_results GROUP BY test_code ORDER BY test_code",
              List.of(),
              Set.of("lab_results"),
              Map.of(),
              Set.of(),
              AsOf.CURRENT);
      QueryResult fresh =
          new QueryService(lakehouse, config, first)
              .run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
      QueryResult shared =
          new QueryService(lakehouse, config, second)
              .run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
      assertThat(fresh.cached()).isFalse();
      assertThat(shared.cached()).isTrue();
      assertThat(shared.table()).isEqualTo(fresh.table());
      assertThat(shared.snapshotIds()).isEqualTo(fresh.snapshotIds());

      LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 10, 5);
      QueryResult afterLoad =
          new QueryService(lakehouse, config, second)
              .run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
      assertThat(afterLoad.cached()).as("a new snapshot makes a new key").isFalse();
      assertThat(afterLoad.table().rows().stream().mapToLong(row -> (Long) row.get(1)).sum())
          .isEqualTo(130);
      ((RedisResultCache) first).close();
      ((RedisResultCache) second).close();
    }
  }
}
