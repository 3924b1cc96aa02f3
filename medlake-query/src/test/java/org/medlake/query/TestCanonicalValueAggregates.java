package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.medlake.core.units.UnitConversion;
import org.medlake.core.units.UnitConversions;
import org.medlake.lake.LabResultFiles;
import org.medlake.lake.LabResultFiles.Result;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.privacy.SuppressionPolicy;
import org.medlake.query.result.ResultTable;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQueryRunner;

/**
 * Two hospitals report glucose, one in mg/dL and one in mmol/L (plus one result in a unit nobody
 * understands); a test outside the catalogue comes in mg/L and g/L. Stored as ingestion stores them
 * (the core's unit conversions fill the canonical columns); expected values are computed here from
 * the values written, with the textbook 18.016 mg/dL per mmol/L.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestCanonicalValueAggregates {
  private static final String GLUCOSE = "2345-7";
  private static final String UNCATALOGUED = "99999-9";
  private static final double MG_DL_PER_MMOL_L = 18.016;
  private static final double[] MG_DL = values(70, 5, 24);
  private static final double[] MMOL_L = values(3.5, 0.3, 24);
  private static final double UNKNOWN_UNIT_VALUE = 95;
  private static final double[] MG_L = values(2, 1, 12);
  private static final double[] G_L = values(0.002, 0.001, 12);

  private final UnitConversions units = UnitConversions.load();
  private Lakehouse lakehouse;
  private QueryService service;
  private PredefinedQueries queries;
  private StructuredQueryRunner runner;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    List<Result> h001 = new ArrayList<>();
    List<Result> h002 = new ArrayList<>();
    for (int i = 0; i < MG_DL.length; i++) {
      h001.add(result("a" + i % 12, GLUCOSE, MG_DL[i], "mg/dL"));
      h002.add(result("b" + i % 12, GLUCOSE, MMOL_L[i], "mmol/l"));
    }
    h002.add(result("b0", GLUCOSE, UNKNOWN_UNIT_VALUE, "milligrams"));
    for (int i = 0; i < MG_L.length; i++) {
      h001.add(result("a" + i, UNCATALOGUED, MG_L[i], "mg/L"));
      h002.add(result("b" + i, UNCATALOGUED, G_L[i], "g/L"));
    }
    LabResultFiles.appendResults(home, lakehouse, "H001", YearMonth.of(2024, 1), h001);
    LabResultFiles.appendResults(home, lakehouse, "H002", YearMonth.of(2024, 1), h002);
    service = new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100));
    queries = PredefinedQueries.load(home.queries());
    runner = new StructuredQueryRunner(service, QueryConfig.defaults());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void testSummaryCombinesBothUnitsAndCountsTheUnconvertedResult() {
    double[] canonical = canonicalGlucose();
    ResultTable summary = predefined("test-summary", Map.of("tests", GLUCOSE), Role.ANALYST);
    assertThat(summary.rows()).hasSize(1);
    List<Object> glucose = summary.rows().get(0);
    assertThat(cell(summary, glucose, "unit")).isEqualTo("mg/dL");
    assertThat(cell(summary, glucose, "n")).isEqualTo(49L);
    assertThat(cell(summary, glucose, "patients")).isEqualTo(24L);
    assertThat(cell(summary, glucose, "n_values")).isEqualTo(48L);
    assertThat(cell(summary, glucose, "rows_without_canonical_value")).isEqualTo(1L);
    double mean = (Double) cell(summary, glucose, "mean");
    assertThat(mean).isCloseTo(mean(canonical), within(0.01));
    assertThat(mean).isNotCloseTo(unitBlindMean(), within(10.0));
    assertThat((Double) cell(summary, glucose, "p50")).isCloseTo(median(canonical), within(0.01));
  }

  @Test
  void aTestWithoutCanonicalUnitIsSummarizedAsDeliveredPerUnit() {
    ResultTable summary = predefined("test-summary", Map.of("tests", UNCATALOGUED), Role.ANALYST);
    assertThat(summary.rows())
        .extracting(row -> cell(summary, row, "unit"), row -> cell(summary, row, "n"))
        .containsExactly(tuple("g/L", 12L), tuple("mg/L", 12L));
    assertThat((Double) cell(summary, summary.rows().get(0), "mean"))
        .isCloseTo(mean(G_L), within(0.001));
    assertThat((Double) cell(summary, summary.rows().get(1), "mean"))
        .isCloseTo(mean(MG_L), within(0.001));
  }

  @Test
  void valueDistributionBinsCanonicalValues() {
    ResultTable bins =
        predefined("value-distribution", Map.of("test", GLUCOSE, "bins", "4"), Role.ANALYST);
    assertThat(bins.rows()).extracting(row -> cell(bins, row, "unit")).containsOnly("mg/dL");
    assertThat(bins.rows().stream().mapToLong(row -> (Long) cell(bins, row, "n")).sum())
        .isEqualTo(48);
    double[] canonical = canonicalGlucose();
    // the edges are the 1st and 99th percentiles (linear interpolation) rounded outwards to two
    // digits of
    // their range: never the minimum or maximum, which are one patient's results (issue 17)
    double p01 = quantile(canonical, 0.01);
    double p99 = quantile(canonical, 0.99);
    double step = Math.pow(10, Math.floor(Math.log10(p99 - p01)) - 1);
    double from = (Double) cell(bins, bins.rows().get(0), "bin_from");
    double to = (Double) cell(bins, bins.rows().get(bins.rows().size() - 1), "bin_to");
    assertThat(from).isCloseTo(Math.floor(p01 / step) * step, within(0.0001));
    assertThat(to).isCloseTo(Math.ceil(p99 / step) * step, within(0.0001));
    for (List<Object> row : bins.rows()) {
      for (String edge : List.of("bin_from", "bin_to")) {
        assertThat((Double) cell(bins, row, edge))
            .isNotCloseTo(canonical[0], within(0.0001))
            .isNotCloseTo(canonical[canonical.length - 1], within(0.0001));
      }
    }
  }

  private static double quantile(double[] sorted, double q) {
    double position = (sorted.length - 1) * q;
    int below = (int) Math.floor(position);
    int above = Math.min(sorted.length - 1, below + 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  @Test
  void theQueryBuildersMeanIsCanonicalAndCarriesItsUnit() {
    ResultTable result =
        structured(
            """
        {"table": "lab_results", "filters": [{"column": "test_code", "op": "=", "values": ["2345-7"]}],
         "group_by": [{"column": "test_code"}],
         "aggregates": [{"function": "count"}, {"function": "avg", "column": "value_canonical"}], "limit": 10}
        """,
            Role.ANALYST);
    assertThat(result.columns())
        .extracting(column -> column.name())
        .containsExactly("test_code", "unit_canonical", "count", "avg_value_canonical");
    assertThat(result.rows()).hasSize(1);
    assertThat(result.rows().get(0).subList(0, 3)).containsExactly(GLUCOSE, "mg/dL", 49L);
    assertThat((Double) result.rows().get(0).get(3))
        .isCloseTo(mean(canonicalGlucose()), within(0.01));

    // viewers get the same row: the unit follows the test and the group has enough patients
    ResultTable viewer =
        structured(
            """
        {"table": "lab_results", "group_by": [{"column": "test_code"}],
         "aggregates": [{"function": "avg", "column": "value_canonical"}], "limit": 10}
        """,
            Role.VIEWER);
    assertThat(viewer.columns())
        .extracting(column -> column.name())
        .containsExactly("test_code", "unit_canonical", "avg_value_canonical", "patients");
    assertThat(viewer.rows().get(0).subList(0, 2)).containsExactly(GLUCOSE, "mg/dL");
    assertThat((Double) viewer.rows().get(0).get(2))
        .isCloseTo(mean(canonicalGlucose()), within(0.01));
  }

  @Test
  void valuesAsDeliveredAreGroupedByTheirUnit() {
    ResultTable result =
        structured(
            """
        {"table": "lab_results", "filters": [{"column": "test_code", "op": "=", "values": ["2345-7"]}],
         "group_by": [{"column": "test_code"}],
         "aggregates": [{"function": "count"}, {"function": "avg", "column": "value_numeric"}], "limit": 10}
        """,
            Role.ANALYST);
    assertThat(result.columns())
        .extracting(column -> column.name())
        .containsExactly("test_code", "unit", "count", "avg_value_numeric");
    assertThat(result.rows())
        .extracting(row -> row.get(1), row -> row.get(2))
        .containsExactly(tuple("mg/dL", 24L), tuple("milligrams", 1L), tuple("mmol/L", 24L));
    assertThat((Double) result.rows().get(2).get(3)).isCloseTo(mean(MMOL_L), within(1e-9));
  }

  private Result result(String patient, String test, double value, String writtenUnit) {
    UnitConversion conversion = units.convert(test, writtenUnit);
    Double canonical =
        conversion.toCanonical(value).isPresent()
            ? conversion.toCanonical(value).getAsDouble()
            : null;
    return new Result(
        patient,
        test,
        value,
        conversion.unit(),
        canonical,
        conversion.convertedUnit().orElse(null),
        conversion.status().name());
  }

  private ResultTable predefined(String name, Map<String, String> parameters, Role role) {
    PredefinedQuery query = queries.find(name);
    QueryConfig config = QueryConfig.defaults();
    return service
        .run(
            PredefinedQueries.bind(query, parameters, AsOf.CURRENT),
            role,
            SuppressionPolicy.policy(role, config),
            SuppressionPolicy.forRole(role, query, config))
        .table();
  }

  private ResultTable structured(String json, Role role) {
    return runner.run(StructuredQueries.parse(json), role, AsOf.CURRENT).table();
  }

  private static Object cell(ResultTable table, List<Object> row, String column) {
    return row.get(table.columnIndex(column));
  }

  /** Glucose in mg/dL from the values written: mg/dL as they are, mmol/L times 18.016; sorted. */
  private static double[] canonicalGlucose() {
    double[] all = new double[MG_DL.length + MMOL_L.length];
    for (int i = 0; i < MG_DL.length; i++) {
      all[i] = MG_DL[i];
      all[MG_DL.length + i] = MMOL_L[i] * MG_DL_PER_MMOL_L;
    }
    Arrays.sort(all);
    return all;
  }

  private static double unitBlindMean() {
    return (Arrays.stream(MG_DL).sum() + Arrays.stream(MMOL_L).sum() + UNKNOWN_UNIT_VALUE)
        / (MG_DL.length + MMOL_L.length + 1);
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElseThrow();
  }

  private static double median(double[] sorted) {
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static double[] values(double first, double step, int count) {
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = first + i * step;
    }
    return values;
  }
}
