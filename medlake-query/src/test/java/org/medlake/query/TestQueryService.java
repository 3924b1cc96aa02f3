package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.plan.PruningPredicate.Operator;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestQueryService {
  private static final String COUNT =
      "SELECT hospital_id, count(*) AS n, count(DISTINCT patient_key) AS patients FROM lab_results"
          + " WHERE hospital_id = ? GROUP BY hospital_id";

  private MedlakeHome home;
  private Lakehouse lakehouse;
  private QueryService service;
  private long firstSnapshot;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
    firstSnapshot = lakehouse.labResults().currentSnapshot().snapshotId();
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 200, 40);
    LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 100, 10);
    service = new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100));
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void partitionPredicatesPruneFilesAndTheAnswerIsRight() {
    QueryRequest request =
        request(
            COUNT,
            List.of("H001"),
            List.of(new PruningPredicate("hospital_id", Operator.EQUAL, List.of("H001"))));
    QueryResult result = service.run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
    assertThat(result.table().rows()).containsExactly(List.of("H001", 500L, 40L));
    assertThat(result.filesScanned()).isEqualTo(2);
    assertThat(result.snapshotIds()).containsKey("lab_results");

    QueryRequest january =
        request(
            "SELECT count(*) FROM lab_results WHERE collected_at < ?",
            List.of(LocalDateTime.of(2024, 2, 1, 0, 0)),
            List.of(
                new PruningPredicate(
                    "collected_at",
                    Operator.LESS_THAN,
                    List.of(LocalDateTime.of(2024, 2, 1, 0, 0)))));
    QueryResult januaryResult =
        service.run(january, Role.ANALYST, "analyst", UnaryOperator.identity());
    assertThat(januaryResult.table().rows()).containsExactly(List.of(400L));
    assertThat(januaryResult.filesScanned()).isEqualTo(2);
  }

  @Test
  void timeTravelReadsTheNamedSnapshot() {
    QueryRequest request =
        new QueryRequest(
            "SELECT count(*) FROM lab_results",
            List.of(),
            Set.of("lab_results"),
            Map.of(),
            Set.of(),
            AsOf.snapshot(firstSnapshot));
    QueryResult result = service.run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
    assertThat(result.table().rows()).containsExactly(List.of(300L));
    assertThat(result.snapshotIds()).containsEntry("lab_results", firstSnapshot);
    assertThatThrownBy(
            () ->
                service.run(
                    new QueryRequest(
                        "SELECT 1",
                        List.of(),
                        Set.of("lab_results"),
                        Map.of(),
                        Set.of(),
                        AsOf.snapshot(42)),
                    Role.ANALYST,
                    "analyst",
                    UnaryOperator.identity()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("has no snapshot 42");
  }

  @Test
  void theSecondIdenticalQueryIsCachedAndANewLoadChangesTheKey() throws Exception {
    QueryRequest request =
        request(
            COUNT,
            List.of("H002"),
            List.of(new PruningPredicate("hospital_id", Operator.EQUAL, List.of("H002"))));
    assertThat(service.run(request, Role.ANALYST, "analyst", UnaryOperator.identity()).cached())
        .isFalse();
    QueryResult again = service.run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
    assertThat(again.cached()).isTrue();
    assertThat(again.table().rows()).containsExactly(List.of("H002", 100L, 10L));
    assertThat(service.run(request, Role.VIEWER, "viewer k=11", UnaryOperator.identity()).cached())
        .as("other policy")
        .isFalse();
  }

  @Test
  void theEstimateAndTheAnswerScanTheSameBytesAsTheIcebergPlan() throws Exception {
    QueryRequest request =
        new QueryRequest(
            "SELECT avg(value_numeric) FROM lab_results WHERE hospital_id = ?",
            List.of("H001"),
            Set.of("lab_results"),
            Map.of(
                "lab_results",
                List.of(new PruningPredicate("hospital_id", Operator.EQUAL, List.of("H001")))),
            Set.of("value_numeric", "hospital_id"),
            AsOf.CURRENT);
    org.apache.iceberg.Table table = lakehouse.labResults();
    long files = 0;
    long columnBytes = 0;
    long fileBytes = 0;
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        table
            .newScan()
            .filter(org.apache.iceberg.expressions.Expressions.equal("hospital_id", "H001"))
            .includeColumnStats()
            .planFiles()) {
      for (org.apache.iceberg.FileScanTask task : tasks) {
        files++;
        fileBytes += task.file().fileSizeInBytes();
        for (String column : List.of("value_numeric", "hospital_id")) {
          columnBytes += task.file().columnSizes().get(table.schema().findField(column).fieldId());
        }
      }
    }
    assertThat(files).as("pruned to H001's two months").isEqualTo(2);
    assertThat(columnBytes).isPositive().isLessThan(fileBytes);

    Estimate estimate = service.estimate(request, Role.ANALYST);
    QueryResult answer = service.run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
    assertThat(estimate.files()).isEqualTo(answer.filesScanned()).isEqualTo(files);
    assertThat(estimate.bytes()).isEqualTo(fileBytes);
    assertThat(estimate.projectedBytes()).isEqualTo(answer.bytesScanned()).isEqualTo(columnBytes);
  }

  @Test
  void estimatesComeFromMetadataAndBudgetsRefuse() {
    QueryRequest request =
        new QueryRequest(
            "SELECT avg(value_numeric) FROM lab_results",
            List.of(),
            Set.of("lab_results"),
            Map.of(),
            Set.of("value_numeric"),
            AsOf.CURRENT);
    Estimate estimate = service.estimate(request, Role.VIEWER);
    assertThat(estimate.files()).isEqualTo(estimate.totalFiles()).isPositive();
    assertThat(estimate.projectedBytes()).isPositive().isLessThan(estimate.bytes());
    assertThat(estimate.priceUsd()).isEqualTo(estimate.projectedBytes() / 1e12 * 5.0);
    assertThat(estimate.fullScan()).as("small table: below the full-scan threshold").isFalse();

    QueryConfig tiny =
        new QueryConfig(
            5.0,
            100,
            10,
            "512MB",
            1,
            1,
            11,
            10,
            Map.of(Role.VIEWER, 10L),
            java.util.Optional.empty(),
            60,
            QueryConfig.defaults().exportRows());
    QueryService strict = new QueryService(lakehouse, tiny, new InProcessResultCache(10));
    assertThat(strict.estimate(request, Role.VIEWER).fullScan()).isTrue();
    assertThatThrownBy(() -> strict.run(request, Role.VIEWER, "viewer", UnaryOperator.identity()))
        .isInstanceOf(MedlakeException.class)
        .hasMessageMatching(
            "Estimated scan of .* exceeds the viewer budget of 10 B per query; narrow the hospitals or dates")
        .satisfies(
            e ->
                assertThat(((MedlakeException) e).errorCode())
                    .isEqualTo(ErrorCode.BUDGET_EXCEEDED));
  }

  @Test
  void theQueryDuckDbCannotReadOutsideTheWarehouseOrChangeItsSettings() {
    for (String escape :
        List.of(
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT current_setting('enable_external_access')::VARCHAR",
            "SET enable_external_access = true")) {
      QueryRequest request =
          new QueryRequest(
              escape, List.of(), Set.of("lab_results"), Map.of(), Set.of(), AsOf.CURRENT);
      if (escape.startsWith("SELECT current_setting")) {
        assertThat(
                service.run(request, Role.ADMIN, "admin", UnaryOperator.identity()).table().rows())
            .containsExactly(List.of("false"));
      } else {
        assertThatThrownBy(
                () -> service.run(request, Role.ADMIN, "admin", UnaryOperator.identity()))
            .isInstanceOf(MedlakeException.class)
            .hasMessageStartingWith("Query failed: ");
      }
    }
  }

  @Test
  void rowLimitRefusesEnormousResults() {
    QueryConfig small =
        new QueryConfig(
            5.0,
            10,
            10,
            "512MB",
            1,
            1_000_000_000L,
            11,
            10,
            QueryConfig.defaults().budgets(),
            java.util.Optional.empty(),
            60,
            QueryConfig.defaults().exportRows());
    QueryService limited = new QueryService(lakehouse, small, new InProcessResultCache(10));
    QueryRequest request =
        new QueryRequest(
            "SELECT * FROM lab_results",
            List.of(),
            Set.of("lab_results"),
            Map.of(),
            Set.of(),
            AsOf.CURRENT);
    assertThatThrownBy(
            () -> limited.run(request, Role.ANALYST, "analyst", UnaryOperator.identity()))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("The result has more than 10 rows; aggregate or add a LIMIT");
  }

  @Test
  void catalogShowsCoverageAndSnapshots() {
    CatalogService catalog = new CatalogService(lakehouse);
    assertThat(catalog.partitions("lab_results", Role.VIEWER))
        .containsExactly(
            new CatalogService.Partition(
                "H001",
                "2024-01",
                300,
                1,
                catalog.partitions("lab_results", Role.VIEWER).get(0).bytes()),
            new CatalogService.Partition(
                "H001",
                "2024-02",
                200,
                1,
                catalog.partitions("lab_results", Role.VIEWER).get(1).bytes()),
            new CatalogService.Partition(
                "H002",
                "2024-01",
                100,
                1,
                catalog.partitions("lab_results", Role.VIEWER).get(2).bytes()));
    assertThat(catalog.snapshots("lab_results", Role.VIEWER))
        .extracting(CatalogService.SnapshotInfo::runId)
        .containsExactly(
            "run-fixture-H001-2024-01", "run-fixture-H001-2024-02", "run-fixture-H002-2024-01");
    assertThat(catalog.tables(Role.VIEWER))
        .extracting(summary -> summary.name())
        .containsExactly("lab_results");
    assertThat(catalog.tables(Role.ADMIN)).hasSize(2);
    // the value and unit columns that aggregates and the query builder use are described to every
    // role
    assertThat(catalog.describe("lab_results", Role.VIEWER).columns())
        .filteredOn(
            column ->
                List.of("value_numeric", "unit", "value_canonical", "unit_canonical", "unit_status")
                    .contains(column.name()))
        .hasSize(5)
        .allSatisfy(column -> assertThat(column.description()).isNotBlank());
    assertThatThrownBy(() -> catalog.describe("lab_results_rejects", Role.ANALYST))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Table lab_results_rejects does not exist (tables: lab_results)");
  }

  private static QueryRequest request(
      String sql, List<Object> parameters, List<PruningPredicate> predicates) {
    return new QueryRequest(
        sql,
        parameters,
        Set.of("lab_results"),
        Map.of("lab_results", predicates),
        Set.of(),
        AsOf.CURRENT);
  }
}
