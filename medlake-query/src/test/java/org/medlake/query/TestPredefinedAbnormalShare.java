package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.lake.LabResultFiles;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.privacy.SuppressionPolicy;
import org.medlake.query.result.ResultTable;

/**
 * Percent abnormal of the predefined queries counts the flags a hospital sent and, where it sent
 * none, the flags the reference range gives (LabResultFiles describes the rows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestPredefinedAbnormalShare {
  private static final int FLAGGED_ROWS = 300;
  private static final int UNFLAGGED_ROWS = 200;

  private Lakehouse lakehouse;
  private QueryService service;
  private PredefinedQueries queries;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), FLAGGED_ROWS, 40);
    LabResultFiles.appendUnflagged(
        home, lakehouse, "H002", YearMonth.of(2024, 1), UNFLAGGED_ROWS, 40);
    LabResultFiles.appendUnflagged(home, lakehouse, "H003", YearMonth.of(2024, 1), 30, 4);
    service = new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100));
    queries = PredefinedQueries.load(home.queries());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void testSummaryCountsSentAndDerivedFlags() {
    Map<String, long[]> expected = new TreeMap<>();
    count(expected, FLAGGED_ROWS, true);
    count(expected, UNFLAGGED_ROWS, false);
    ResultTable summary = run("test-summary", Map.of("hospitals", "H001,H002"));
    int percent = summary.columnIndex("percent_abnormal");
    assertThat(summary.rows()).hasSize(3);
    for (List<Object> row : summary.rows()) {
      long[] counts = expected.get((String) row.get(0));
      assertThat((Double) row.get(percent))
          .as((String) row.get(0))
          .isCloseTo(100.0 * counts[1] / counts[0], within(0.051));
    }
  }

  @Test
  void aHospitalWithoutFlagsGetsItsShareFromTheReferenceRange() {
    Map<String, long[]> expected = new TreeMap<>();
    count(expected, UNFLAGGED_ROWS, false);
    ResultTable trend = run("abnormal-trend", Map.of("hospitals", "H002"));
    int percent = trend.columnIndex("percent_abnormal");
    assertThat(trend.rows()).hasSize(3);
    for (List<Object> row : trend.rows()) {
      long[] counts = expected.get((String) row.get(0));
      assertThat(row.get(trend.columnIndex("n"))).isEqualTo(counts[2]);
      assertThat((Double) row.get(percent))
          .as((String) row.get(0))
          .isCloseTo(100.0 * counts[1] / counts[0], within(0.051));
    }
  }

  @Test
  void smallCellsAreStillSuppressedForViewers() {
    PredefinedQuery query = queries.find("abnormal-trend");
    QueryConfig config = QueryConfig.defaults();
    QueryResult viewer =
        service.run(
            PredefinedQueries.bind(query, Map.of("hospitals", "H003"), AsOf.CURRENT),
            Role.VIEWER,
            SuppressionPolicy.policy(Role.VIEWER, config),
            SuppressionPolicy.forRole(Role.VIEWER, query, config));
    assertThat(viewer.suppressedCells()).isPositive();
    int percent = viewer.table().columnIndex("percent_abnormal");
    assertThat(viewer.table().rows()).allSatisfy(row -> assertThat(row.get(percent)).isNull());
  }

  /**
   * Per test: known effective flags, abnormal ones, rows; computed from the fixture's definition,
   * not by SQL.
   */
  private static void count(Map<String, long[]> counts, int rows, boolean flagged) {
    for (int i = 0; i < rows; i++) {
      long[] test = counts.computeIfAbsent(LakeFixture.TESTS[i % 3], ignored -> new long[3]);
      test[2]++;
      double value = 10 + i % 7;
      Double low = !flagged && i % 4 >= 2 ? null : 9.0;
      Double high = !flagged && i % 4 % 2 == 1 ? null : 15.0;
      String flag;
      if (flagged) {
        flag = i % 5 == 0 ? "H" : "N";
      } else if (low == null && high == null) {
        flag = null;
      } else {
        flag = low != null && value < low ? "L" : high != null && value > high ? "H" : "N";
      }
      if (flag != null) {
        test[0]++;
        test[1] += flag.equals("N") ? 0 : 1;
      }
    }
  }

  private ResultTable run(String name, Map<String, String> arguments) {
    return service
        .run(
            PredefinedQueries.bind(queries.find(name), arguments, AsOf.CURRENT),
            Role.ANALYST,
            "test",
            UnaryOperator.identity())
        .table();
  }
}
