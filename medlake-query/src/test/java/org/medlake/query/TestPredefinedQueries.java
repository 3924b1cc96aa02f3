package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.privacy.SuppressionPolicy;
import org.medlake.query.result.ResultTable;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestPredefinedQueries {
  private MedlakeHome home;
  private Lakehouse lakehouse;
  private QueryService service;
  private PredefinedQueries queries;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 200, 40);
    LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 99, 10);
    service = new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100));
    queries = PredefinedQueries.load(home.queries());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void atLeastTheFiveRequiredQueriesShip() {
    assertThat(queries.list())
        .extracting(query -> query.name())
        .contains(
            "test-summary",
            "monthly-volume",
            "abnormal-trend",
            "value-distribution",
            "delivery-completeness");
  }

  @Test
  void monthlyVolumeCountsResultsAndPatients() {
    assertThat(run("monthly-volume", Map.of()).table().rows())
        .containsExactly(
            List.of("H001", "2024-01", 300L, 40L),
            List.of("H001", "2024-02", 200L, 40L),
            List.of("H002", "2024-01", 99L, 10L));
    QueryRequest h002 =
        PredefinedQueries.bind(
            queries.find("monthly-volume"), Map.of("hospitals", "H002"), AsOf.CURRENT);
    assertThat(h002.predicates().get("lab_results"))
        .contains(
            new PruningPredicate("hospital_id", PruningPredicate.Operator.IN, List.of("H002")));
    QueryResult result = service.run(h002, Role.VIEWER, "test", UnaryOperator.identity());
    assertThat(result.table().rows()).containsExactly(List.of("H002", "2024-01", 99L, 10L));
    assertThat(result.filesScanned()).isEqualTo(1);
  }

  @Test
  void testSummaryAndTrendAgreeWithTheFixture() {
    // every third row of each hospital-month is 718-7: 100 + 67 + 33 rows
    List<List<Object>> summary = run("test-summary", Map.of("tests", "718-7")).table().rows();
    assertThat(summary).hasSize(1);
    assertThat(summary.get(0).subList(0, 4)).containsExactly("718-7", "Hemoglobin", "mg/dL", 200L);
    List<List<Object>> trend =
        run("abnormal-trend", Map.of("tests", "718-7", "from", "2024-02-01")).table().rows();
    assertThat(trend).hasSize(1);
    assertThat(trend.get(0).subList(0, 3)).containsExactly("718-7", "2024-02", 67L);
  }

  @Test
  void histogramBinsAddUpToTheTestsResults() {
    ResultTable histogram =
        run("value-distribution", Map.of("test", "2345-7", "bins", "7")).table();
    List<List<Object>> bins = histogram.rows();
    int n = histogram.columnIndex("n");
    assertThat(bins.stream().mapToLong(row -> (Long) row.get(n)).sum()).isEqualTo(100 + 67 + 33);
    assertThat(bins).hasSizeLessThanOrEqualTo(7);
  }

  @Test
  void deliveryCompletenessListsHospitalMonths() {
    assertThat(run("delivery-completeness", Map.of()).table().rows())
        .extracting(row -> row.get(0) + " " + row.get(1))
        .containsExactly("H001 2024-01", "H001 2024-02", "H002 2024-01");
  }

  @Test
  void viewersGetSmallCellsSuppressed() {
    var query = queries.find("value-distribution");
    QueryRequest request =
        PredefinedQueries.bind(
            query, Map.of("test", "2345-7", "bins", "40", "hospitals", "H002"), AsOf.CURRENT);
    QueryConfig config = QueryConfig.defaults();
    QueryResult viewer =
        service.run(
            request,
            Role.VIEWER,
            SuppressionPolicy.policy(Role.VIEWER, config),
            SuppressionPolicy.forRole(Role.VIEWER, query, config));
    assertThat(viewer.suppressedCells()).isPositive();
    int patients = viewer.table().columnIndex("patients");
    assertThat(viewer.table().rows())
        .allSatisfy(
            row ->
                assertThat(row.get(patients) == null || (Long) row.get(patients) >= 11).isTrue());
    QueryResult analyst =
        service.run(
            request,
            Role.ANALYST,
            SuppressionPolicy.policy(Role.ANALYST, config),
            SuppressionPolicy.forRole(Role.ANALYST, query, config));
    assertThat(analyst.suppressedCells()).isZero();
    assertThat(analyst.table().rows())
        .anySatisfy(row -> assertThat((Long) row.get(patients)).isLessThan(11));
  }

  @Test
  void parametersAreCheckedWithClearErrors() {
    var query = queries.find("value-distribution");
    assertThatThrownBy(() -> PredefinedQueries.bind(query, Map.of("bin", "3"), AsOf.CURRENT))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "unknown parameter 'bin' for query value-distribution (parameters: hospitals, from, to, test, bins)");
    assertThatThrownBy(() -> PredefinedQueries.bind(query, Map.of("bins", "1000"), AsOf.CURRENT))
        .hasMessage("parameter 'bins' must be between 2 and 200, not 1000");
    assertThatThrownBy(
            () -> PredefinedQueries.bind(query, Map.of("from", "yesterday"), AsOf.CURRENT))
        .hasMessage(
            "parameter 'from' must be a date YYYY-MM-DD (years 0001 to 9999), not 'yesterday'");
    QueryRequest injected =
        PredefinedQueries.bind(query, Map.of("test", "x' OR 1=1 --"), AsOf.CURRENT);
    assertThat(injected.sql()).as("values are bound, never pasted").doesNotContain("OR 1=1");
    assertThat(injected.parameters()).contains("x' OR 1=1 --");
    assertThat(run("value-distribution", Map.of("test", "x' OR 1=1 --")).table().rows()).isEmpty();
    assertThatThrownBy(() -> queries.find("nope"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageStartingWith("No predefined query 'nope'");
  }

  @Test
  void queriesInTheHomeAreAddedAndCheckedForUndeclaredParameters() throws Exception {
    Files.writeString(
        home.queries().resolve("count.yaml"),
        """
        name: count-all
        title: Count
        parameters: []
        sql: SELECT count(*) AS n FROM lab_results
        """);
    assertThat(PredefinedQueries.load(home.queries()).find("count-all").title()).isEqualTo("Count");
    Files.writeString(
        home.queries().resolve("bad.yaml"),
        """
        name: bad
        title: Bad
        sql: SELECT count(*) FROM lab_results WHERE hospital_id = :hospital
        """);
    assertThatThrownBy(() -> PredefinedQueries.load(home.queries()))
        .isInstanceOf(ValidationException.class)
        .hasMessageEndingWith("bad.yaml: :hospital is not a declared parameter");
    Files.delete(home.queries().resolve("bad.yaml"));
  }

  /**
   * Issue 17 (b): delivery-completeness declared no patient count, so viewers got the exact result
   * count of a hospital-month that monthly-volume withholds (H002, 10 patients).
   */
  @Test
  void deliveryCompletenessIsSuppressedForViewersAsMonthlyVolumeIs() {
    for (String name : List.of("delivery-completeness", "monthly-volume")) {
      var query = queries.find(name);
      QueryResult viewer = asViewer(query, Map.of());
      int results = viewer.table().columnIndex("results");
      assertThat(viewer.table().rows())
          .as(name)
          .filteredOn(row -> row.get(0).equals("H002"))
          .singleElement()
          .satisfies(row -> assertThat(row.get(results)).isNull());
      assertThat(viewer.suppressedCells()).as(name).isPositive();
    }
  }

  @Test
  void everyShippedQueryDeclaresItsSuppression() {
    assertThat(queries.list())
        .allSatisfy(
            query ->
                assertThat(query.aggregateOnly())
                    .as(query.source())
                    .isIn(
                        PredefinedQuery.AggregateOnly.SUPPRESSED,
                        PredefinedQuery.AggregateOnly.REFUSED));
  }

  @Test
  void aQueryThatDeclaresNoSuppressionDoesNotLoadForViewers() throws Exception {
    Path undeclared = home.queries().resolve("undeclared.yaml");
    Path refused = home.queries().resolve("refused.yaml");
    Files.writeString(
        undeclared,
        """
        name: per-hospital
        title: Per hospital
        sql: SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY ALL
        """);
    Files.writeString(
        refused,
        """
        name: per-hospital-refused
        title: Per hospital
        sql: SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY ALL
        aggregate-only: refused
        """);
    try {
      PredefinedQueries loaded = PredefinedQueries.load(home.queries());
      assertThatThrownBy(() -> asViewer(loaded.find("per-hospital"), Map.of()))
          .isInstanceOf(MedlakeException.class)
          .hasMessage(
              "queries/undeclared.yaml: predefined query per-hospital declares no small-cell suppression (patient-count-column) "
                  + "nor 'aggregate-only: refused', so it does not load for aggregate-only roles");
      assertThatThrownBy(() -> asViewer(loaded.find("per-hospital-refused"), Map.of()))
          .hasMessage(
              "Predefined query per-hospital-refused is not available to aggregate-only roles "
                  + "(aggregate-only: refused in queries/refused.yaml)");
      // analysts still run both
      QueryConfig config = QueryConfig.defaults();
      var query = loaded.find("per-hospital");
      assertThat(
              service
                  .run(
                      PredefinedQueries.bind(query, Map.of(), AsOf.CURRENT),
                      Role.ANALYST,
                      SuppressionPolicy.policy(Role.ANALYST, config),
                      SuppressionPolicy.forRole(Role.ANALYST, query, config))
                  .table()
                  .rows())
          .hasSize(2);
    } finally {
      Files.delete(undeclared);
      Files.delete(refused);
    }
  }

  private QueryResult asViewer(PredefinedQuery query, Map<String, String> arguments) {
    QueryConfig config = QueryConfig.defaults();
    return service.run(
        PredefinedQueries.bind(query, arguments, AsOf.CURRENT),
        Role.VIEWER,
        SuppressionPolicy.policy(Role.VIEWER, config),
        SuppressionPolicy.forRole(Role.VIEWER, query, config));
  }

  private QueryResult run(String name, Map<String, String> arguments) {
    return service.run(
        PredefinedQueries.bind(queries.find(name), arguments, AsOf.CURRENT),
        Role.ANALYST,
        "test",
        UnaryOperator.identity());
  }
}
