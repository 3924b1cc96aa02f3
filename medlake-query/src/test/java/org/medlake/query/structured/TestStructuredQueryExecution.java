package org.medlake.query.structured;

import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.contract.LabResults;
import org.medlake.query.structured.LabResultsFixture.Row;
import org.medlake.query.structured.StructuredQuery.Aggregate;
import org.medlake.query.structured.StructuredQuery.OrderBy;

/**
 * Compiled queries run on a real DuckDB table; expected values are computed in Java from the same
 * rows.
 */
class TestStructuredQueryExecution {
  private static final List<Row> ROWS = LabResultsFixture.ROWS;
  private static LabResultsFixture fixture;

  private final StructuredQueryCompiler compiler =
      new StructuredQueryCompiler(LabResults.CONTRACT, 100_000);

  @BeforeAll
  static void createTable(@TempDir Path temporary) throws SQLException {
    fixture = LabResultsFixture.open(temporary);
  }

  @AfterAll
  static void close() throws SQLException {
    fixture.close();
  }

  @Test
  void countsRowsAndPatientsPerTestAndMonth() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .groupBy("test_code")
                .groupBy("collected_at", Bucket.MONTH)
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .aggregate(Aggregate.of(AggregateFunction.COUNT_DISTINCT_PATIENTS))
                .limit(1000));

    Function<Row, List<Object>> key = row -> List.of(row.testCode(), month(row.collectedAt()));
    Map<List<Object>, Long> counts = ROWS.stream().collect(groupingBy(key, counting()));
    Map<List<Object>, Integer> patients =
        ROWS.stream()
            .collect(
                groupingBy(
                    key,
                    Collectors.collectingAndThen(
                        Collectors.mapping(Row::patientKey, toSet()), Set::size)));
    assertThat(result).hasSize(counts.size());
    for (Map<String, Object> row : result) {
      List<Object> group = List.of(row.get("test_code"), row.get("collected_at_month"));
      assertThat(row.get("count")).as("count of %s", group).isEqualTo(counts.get(group));
      assertThat(row.get("patients"))
          .as("patients of %s", group)
          .isEqualTo(patients.get(group).longValue());
    }
    // Without order_by, groups come back ordered by the group columns.
    List<String> order =
        result.stream()
            .map(row -> row.get("test_code") + " " + row.get("collected_at_month"))
            .toList();
    assertThat(order).isSorted();
  }

  @Test
  void countsDistinctPatientsPerHospital() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .groupBy("hospital_id")
                .aggregate(Aggregate.of(AggregateFunction.COUNT_DISTINCT_PATIENTS))
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(10));

    Map<String, Set<String>> patients =
        ROWS.stream()
            .collect(groupingBy(Row::hospitalId, Collectors.mapping(Row::patientKey, toSet())));
    Map<String, Long> counts = ROWS.stream().collect(groupingBy(Row::hospitalId, counting()));
    assertThat(result)
        .extracting(row -> row.get("hospital_id"))
        .containsExactly("H001", "H002", "H003", "H009");
    for (Map<String, Object> row : result) {
      assertThat(row.get("patients"))
          .isEqualTo((long) patients.get((String) row.get("hospital_id")).size());
      assertThat(row.get("count")).isEqualTo(counts.get((String) row.get("hospital_id")));
    }
    // Patients have several results, so the two aggregates differ.
    assertThat(result)
        .anySatisfy(row -> assertThat(row.get("patients")).isNotEqualTo(row.get("count")));
  }

  @Test
  void averagesPercentilesAndSpreadPerTest() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .groupBy("test_code")
                .aggregate(Aggregate.of(AggregateFunction.AVG, "value_numeric"))
                .aggregate(Aggregate.percentile("value_numeric", 0.95))
                .aggregate(Aggregate.percentile("value_numeric", 0.5))
                .aggregate(Aggregate.of(AggregateFunction.MIN, "value_numeric"))
                .aggregate(Aggregate.of(AggregateFunction.MAX, "value_numeric"))
                .aggregate(Aggregate.of(AggregateFunction.SUM, "value_numeric"))
                .aggregate(Aggregate.of(AggregateFunction.STDDEV, "value_numeric"))
                .limit(1000));

    Map<String, List<Double>> values = new HashMap<>();
    ROWS.forEach(
        row ->
            values
                .computeIfAbsent(row.testCode(), code -> new ArrayList<>())
                .add(row.valueNumeric()));
    assertThat(result)
        .extracting(row -> row.get("test_code"))
        .containsExactlyInAnyOrderElementsOf(values.keySet());
    for (Map<String, Object> row : result) {
      double[] numbers =
          values.get((String) row.get("test_code")).stream()
              .filter(Objects::nonNull)
              .mapToDouble(Double::doubleValue)
              .sorted()
              .toArray();
      if (numbers.length == 0) {
        assertThat(row.get("avg_value_numeric")).isNull();
        assertThat(row.get("p95_value_numeric")).isNull();
        continue;
      }
      double mean = Arrays.stream(numbers).average().orElseThrow();
      double variance =
          Arrays.stream(numbers).map(x -> (x - mean) * (x - mean)).sum() / (numbers.length - 1);
      assertThat((Double) row.get("avg_value_numeric")).isCloseTo(mean, within(1e-9));
      assertThat((Double) row.get("p95_value_numeric"))
          .isCloseTo(interpolatedQuantile(numbers, 0.95), within(1e-9));
      assertThat((Double) row.get("p50_value_numeric"))
          .isCloseTo(interpolatedQuantile(numbers, 0.5), within(1e-9));
      assertThat((Double) row.get("min_value_numeric")).isEqualTo(numbers[0]);
      assertThat((Double) row.get("max_value_numeric")).isEqualTo(numbers[numbers.length - 1]);
      assertThat((Double) row.get("sum_value_numeric"))
          .isCloseTo(Arrays.stream(numbers).sum(), within(1e-9));
      assertThat((Double) row.get("stddev_value_numeric"))
          .isCloseTo(Math.sqrt(variance), within(1e-9));
    }
  }

  @Test
  void percentileOfAKnownSet() throws SQLException {
    // Values 1..5: the 95th percentile interpolates between 4 and 5 at 0.8, the median is 3.
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .filter("hospital_id", FilterOperator.EQUAL, "H009")
                .aggregate(Aggregate.percentile("value_numeric", 0.95))
                .aggregate(Aggregate.percentile("value_numeric", 0.5))
                .aggregate(Aggregate.percentile("value_numeric", 0.125))
                .limit(1));
    assertThat(result).hasSize(1);
    assertThat((Double) result.get(0).get("p95_value_numeric")).isCloseTo(4.8, within(1e-12));
    assertThat((Double) result.get(0).get("p50_value_numeric")).isCloseTo(3.0, within(1e-12));
    assertThat((Double) result.get(0).get("p12_5_value_numeric")).isCloseTo(1.5, within(1e-12));
  }

  @Test
  void bandsAgesAtCollection() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .groupBy("patient_birth_year", Bucket.AGE_BAND)
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .orderBy(OrderBy.descending("count"))
                .orderBy(OrderBy.ascending("age_band"))
                .limit(1000));

    Map<String, Long> expected = new HashMap<>();
    ROWS.forEach(
        row ->
            expected.merge(
                row.patientBirthYear() == null
                    ? null
                    : ageBand(row.collectedAt().getYear() - row.patientBirthYear()),
                1L,
                Long::sum));
    Map<String, Object> actual = new HashMap<>();
    result.forEach(row -> actual.put((String) row.get("age_band"), row.get("count")));
    assertThat(actual).isEqualTo(new HashMap<String, Object>(expected));
    assertThat(actual).containsKeys("0-17", "18-29", "40-49", "60-69", "80-89", "90+", null);
    assertThat(result)
        .extracting(row -> (Long) row.get("count"))
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void filtersByAgeBandAtCollection() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .filter("age_band", FilterOperator.IN, "18-29", "90+")
                .groupBy("patient_birth_year", Bucket.AGE_BAND)
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(1000));

    Map<String, Long> expected = new HashMap<>();
    ROWS.stream()
        .filter(row -> row.patientBirthYear() != null)
        .map(row -> ageBand(row.collectedAt().getYear() - row.patientBirthYear()))
        .filter(band -> band.equals("18-29") || band.equals("90+"))
        .forEach(band -> expected.merge(band, 1L, Long::sum));
    Map<String, Object> actual = new HashMap<>();
    result.forEach(row -> actual.put((String) row.get("age_band"), row.get("count")));
    assertThat(actual).isEqualTo(new HashMap<String, Object>(expected));
    assertThat(actual).containsOnlyKeys("18-29", "90+");
  }

  @Test
  void percentAbnormalPerHospitalAndYear() throws SQLException {
    List<Map<String, Object>> result =
        run(
            StructuredQuery.builder("lab_results")
                .groupBy("hospital_id")
                .groupBy("collected_at", Bucket.YEAR)
                .aggregate(Aggregate.of(AggregateFunction.PERCENT_ABNORMAL))
                .limit(1000));

    Map<List<Object>, List<Row>> groups =
        ROWS.stream()
            .collect(
                groupingBy(
                    row ->
                        List.of(
                            row.hospitalId(),
                            row.collectedAt().truncatedTo(ChronoUnit.DAYS).withDayOfYear(1))));
    assertThat(result).hasSize(groups.size());
    for (Map<String, Object> row : result) {
      List<Row> rows = groups.get(List.of(row.get("hospital_id"), row.get("collected_at_year")));
      long known = rows.stream().filter(r -> effectiveFlag(r) != null).count();
      long abnormal =
          rows.stream()
              .filter(r -> effectiveFlag(r) != null && !effectiveFlag(r).equals("N"))
              .count();
      if (known == 0) {
        assertThat(row.get("percent_abnormal")).isNull();
      } else {
        assertThat((Double) row.get("percent_abnormal"))
            .isCloseTo(100.0 * abnormal / known, within(1e-9));
      }
    }
    assertThat(ROWS)
        .as("the fixture has rows whose flag only the reference range gives")
        .anySatisfy(r -> assertThat(r.abnormalFlag() == null && effectiveFlag(r) != null).isTrue());
  }

  /**
   * The hospital's flag, else L, H or N where every value the result stands for (an interval for
   * {@code <}, {@code <=}, {@code >}, {@code >=}) lies below, above or within the reference range.
   */
  private static String effectiveFlag(Row row) {
    if (row.abnormalFlag() != null) {
      return row.abnormalFlag();
    }
    if (row.valueNumeric() == null || row.refLow() == null && row.refHigh() == null) {
      return null;
    }
    double value = row.valueNumeric();
    String comparator = row.valueComparator() == null ? "=" : row.valueComparator();
    double lowest = comparator.startsWith("<") ? Double.NEGATIVE_INFINITY : value;
    double highest = comparator.startsWith(">") ? Double.POSITIVE_INFINITY : value;
    boolean lowestExcluded = comparator.equals(">");
    boolean highestExcluded = comparator.equals("<");
    if (row.refLow() != null
        && (highest < row.refLow() || highest == row.refLow() && highestExcluded)) {
      return "L";
    }
    if (row.refHigh() != null
        && (lowest > row.refHigh() || lowest == row.refHigh() && lowestExcluded)) {
      return "H";
    }
    if ((row.refLow() == null || lowest >= row.refLow())
        && (row.refHigh() == null || highest <= row.refHigh())) {
      return "N";
    }
    return null;
  }

  @Test
  void filtersSelectTheSameRowsAsJava() throws SQLException {
    StructuredQuery.Builder filtered =
        StructuredQuery.builder("lab_results")
            .filter("hospital_id", FilterOperator.IN, "H001", "H002")
            .filter("collected_at", FilterOperator.BETWEEN, "2024-02-01", "2024-05-31T23:59:59")
            .filter("value_numeric", FilterOperator.GREATER_THAN_OR_EQUAL, 7.5)
            .filter("test_name", FilterOperator.LIKE, "%Serum%")
            .filter("patient_sex", FilterOperator.NOT_EQUAL, "U")
            .columns("encounter_key", "hospital_id", "collected_at", "value_numeric")
            .orderBy(OrderBy.ascending("collected_at"))
            .limit(1000);
    Predicate<Row> expected =
        row ->
            List.of("H001", "H002").contains(row.hospitalId())
                && !row.collectedAt().isBefore(LocalDateTime.of(2024, 2, 1, 0, 0))
                && !row.collectedAt().isAfter(LocalDateTime.of(2024, 5, 31, 23, 59, 59))
                && row.valueNumeric() != null
                && row.valueNumeric() >= 7.5
                && row.testName().contains("Serum")
                && !"U".equals(row.patientSex());

    List<Map<String, Object>> result = run(filtered);
    List<Row> matching = ROWS.stream().filter(expected).toList();
    assertThat(matching).hasSizeGreaterThan(2);
    assertThat(result)
        .extracting(
            row ->
                List.of(row.get("hospital_id"), row.get("collected_at"), row.get("value_numeric")))
        .containsExactlyInAnyOrderElementsOf(
            matching.stream()
                .map(
                    row -> List.<Object>of(row.hospitalId(), row.collectedAt(), row.valueNumeric()))
                .toList());
    assertThat(result.get(0).keySet())
        .containsExactlyInAnyOrder("encounter_key", "hospital_id", "collected_at", "value_numeric");
    assertThat(result).extracting(row -> (LocalDateTime) row.get("collected_at")).isSorted();
  }

  @Test
  void nullFiltersAndLimit() throws SQLException {
    List<Map<String, Object>> nullFlags =
        run(
            StructuredQuery.builder("lab_results")
                .filter("abnormal_flag", FilterOperator.IS_NULL)
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(1));
    assertThat(nullFlags.get(0).get("count"))
        .isEqualTo(ROWS.stream().filter(row -> row.abnormalFlag() == null).count());

    List<Map<String, Object>> numeric =
        run(
            StructuredQuery.builder("lab_results")
                .filter("value_numeric", FilterOperator.IS_NOT_NULL)
                .filter("patient_birth_year", FilterOperator.LESS_THAN, 1960)
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(1));
    assertThat(numeric.get(0).get("count"))
        .isEqualTo(
            ROWS.stream()
                .filter(
                    row ->
                        row.valueNumeric() != null
                            && row.patientBirthYear() != null
                            && row.patientBirthYear() < 1960)
                .count());

    assertThat(run(StructuredQuery.builder("lab_results").limit(7)))
        .hasSize(7)
        .allSatisfy(
            row ->
                assertThat(row.keySet())
                    .containsExactlyInAnyOrderElementsOf(LabResults.CONTRACT.columnNames()));
  }

  @Test
  void valuesContainingSqlAreBoundAndMatchNothing() throws SQLException {
    String injection = "H001' OR 1=1 --";
    StructuredQuery query =
        StructuredQuery.builder("lab_results")
            .filter("hospital_id", FilterOperator.EQUAL, injection)
            .filter("test_name", FilterOperator.LIKE, "%' OR '1'='1")
            .aggregate(Aggregate.of(AggregateFunction.COUNT))
            .limit(1)
            .build();
    CompiledQuery compiled = compiler.compile(query);
    assertThat(compiled.sql()).doesNotContain("OR 1=1").doesNotContain("'1'='1");
    assertThat(compiled.parameters()).contains(injection);
    assertThat(fixture.run(compiled)).containsExactly(Map.of("count", 0L));

    List<Map<String, Object>> rows =
        run(
            StructuredQuery.builder("lab_results")
                .filter(
                    "hospital_id",
                    FilterOperator.IN,
                    injection,
                    "H001\"; DROP TABLE lab_results; --")
                .limit(100));
    assertThat(rows).isEmpty();
    assertThat(
            run(
                StructuredQuery.builder("lab_results")
                    .aggregate(Aggregate.of(AggregateFunction.COUNT))
                    .limit(1)))
        .containsExactly(Map.of("count", (long) ROWS.size()));
  }

  private List<Map<String, Object>> run(StructuredQuery.Builder query) throws SQLException {
    return run(query.build());
  }

  private List<Map<String, Object>> run(StructuredQuery query) throws SQLException {
    CompiledQuery compiled = compiler.compile(query);
    List<Map<String, Object>> rows = fixture.run(compiled);
    rows.forEach(
        row ->
            assertThat(row.keySet()).containsExactlyInAnyOrderElementsOf(compiled.outputColumns()));
    return rows;
  }

  private static LocalDateTime month(LocalDateTime time) {
    return time.toLocalDate().withDayOfMonth(1).atStartOfDay();
  }

  /** Linear interpolation between closest ranks, as DuckDB's quantile_cont. */
  private static double interpolatedQuantile(double[] sorted, double fraction) {
    double position = fraction * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  private static String ageBand(int age) {
    if (age < 18) {
      return "0-17";
    }
    if (age < 30) {
      return "18-29";
    }
    if (age >= 90) {
      return "90+";
    }
    int decade = age / 10 * 10;
    return decade + "-" + (decade + 9);
  }
}
