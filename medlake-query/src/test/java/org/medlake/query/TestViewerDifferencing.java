package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQueryRunner;

/**
 * Issue 17 (c) through the real query path: H003's January (5 patients) is hidden per month, but
 * the totals of the windows from January and from February differed by exactly its 33 results.
 * Viewers now get obfuscated counts (rounded to 5, with noise seeded by the secret and the cell).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestViewerDifferencing {
  private Lakehouse lakehouse;
  private QueryService service;
  private StructuredQueryRunner runner;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H003", YearMonth.of(2024, 1), 33, 5);
    LakeFixture.append(home, lakehouse, "H003", YearMonth.of(2024, 2), 200, 40);
    LakeFixture.append(home, lakehouse, "H003", YearMonth.of(2024, 3), 200, 40);
    service =
        new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100))
            .withNoiseKey("the secret of this test, 32 byte".getBytes(StandardCharsets.UTF_8));
    runner = new StructuredQueryRunner(service, QueryConfig.defaults());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void twoOverlappingWindowsNoLongerGiveTheHiddenMonth() {
    QueryResult perMonth =
        runner.run(
            StructuredQueries.parse(
                """
        {"table": "lab_results", "group_by": [{"column": "hospital_id"}, {"column": "collected_at", "bucket": "month"}],
         "aggregates": [{"function": "count"}], "limit": 100}
        """),
            Role.VIEWER,
            AsOf.CURRENT);
    assertThat(perMonth.table().rows().get(0).get(2)).as("January is hidden").isNull();

    long fromJanuary = windowCount("2024-01-01", Role.VIEWER);
    long fromFebruary = windowCount("2024-02-01", Role.VIEWER);
    assertThat(windowCount("2024-01-01", Role.ANALYST) - windowCount("2024-02-01", Role.ANALYST))
        .isEqualTo(33);
    assertThat(fromJanuary - fromFebruary)
        .as("the difference of the viewer's windows")
        .isNotEqualTo(33);
    assertThat(List.of(fromJanuary, fromFebruary))
        .allSatisfy(count -> assertThat(count % 5).isZero());
    assertThat(fromJanuary).isBetween(433L - 8, 433L + 8);
    // asked again, the same answer (from the cache and computed afresh alike)
    assertThat(windowCount("2024-01-01", Role.VIEWER)).isEqualTo(fromJanuary);
    StructuredQueryRunner fresh =
        new StructuredQueryRunner(
            new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(10))
                .withNoiseKey("the secret of this test, 32 byte".getBytes(StandardCharsets.UTF_8)),
            QueryConfig.defaults());
    assertThat(
            (Long)
                fresh
                    .run(window("2024-01-01"), Role.VIEWER, AsOf.CURRENT)
                    .table()
                    .rows()
                    .get(0)
                    .get(1))
        .isEqualTo(fromJanuary);
  }

  @Test
  void predefinedCountsAreObfuscatedForViewersToo(@TempDir Path directory) throws Exception {
    // counts that are not multiples of 5, so that exact answers cannot pass for obfuscated ones
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lake = Lakehouse.open(home)) {
      LakeFixture.append(home, lake, "H004", YearMonth.of(2024, 2), 123, 17);
      QueryService own =
          new QueryService(lake, QueryConfig.defaults(), new InProcessResultCache(10))
              .withNoiseKey("the secret of this test, 32 byte".getBytes(StandardCharsets.UTF_8));
      var query = PredefinedQueries.load(Path.of("no-home-queries")).find("monthly-volume");
      QueryResult viewer =
          own.runPredefined(
              query, PredefinedQueries.bind(query, Map.of(), AsOf.CURRENT), Role.VIEWER);
      assertThat(viewer.table().rows())
          .hasSize(1)
          .allSatisfy(
              row -> {
                assertThat((Long) row.get(2) % 5).isZero();
                assertThat((Long) row.get(3) % 5).isZero();
              });
      QueryResult analyst =
          own.runPredefined(
              query, PredefinedQueries.bind(query, Map.of(), AsOf.CURRENT), Role.ANALYST);
      assertThat(analyst.table().rows())
          .extracting(row -> row.get(2), row -> row.get(3))
          .containsExactly(org.assertj.core.groups.Tuple.tuple(123L, 17L));
    }
  }

  private long windowCount(String from, Role role) {
    return (Long) runner.run(window(from), role, AsOf.CURRENT).table().rows().get(0).get(1);
  }

  private static org.medlake.query.structured.StructuredQuery window(String from) {
    return StructuredQueries.parse(
        """
        {"table": "lab_results", "filters": [{"column": "collected_at", "op": ">=", "values": ["%s"]}],
         "group_by": [{"column": "hospital_id"}], "aggregates": [{"function": "count"}], "limit": 100}
        """
            .formatted(from));
  }
}
