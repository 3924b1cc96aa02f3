package org.medlake.query.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;
import org.medlake.query.structured.StructuredQuery.Aggregate;
import org.medlake.query.structured.StructuredQuery.OrderBy;

class TestStructuredQueryValidation {
  private final StructuredQueryCompiler compiler =
      new StructuredQueryCompiler(LabResults.CONTRACT, 100_000);

  @Test
  void acceptsTheDocumentedExample() {
    assertThatNoException()
        .isThrownBy(() -> compiler.compile(TestStructuredQueryJson.EXAMPLE_QUERY));
  }

  @Test
  void unknownColumnsSuggestTheIntendedOne() {
    assertRejected(
        query -> query.filter("valu", FilterOperator.GREATER_THAN, 1).aggregate(count()),
        "unknown column 'valu' (did you mean value_numeric?)");
    assertRejected(
        query -> query.groupBy("hospial_id").aggregate(count()),
        "unknown column 'hospial_id' (did you mean hospital_id?)");
    assertRejected(
        query -> query.aggregate(Aggregate.of(AggregateFunction.AVG, "potassium")),
        "unknown column 'potassium'");
    assertRejected(
        query -> query.columns("test_code", "TEST_NAME"),
        "unknown column 'TEST_NAME' (did you mean test_name?)");
  }

  @Test
  void rejectsWrongTableAndLimit() {
    assertRejected(
        StructuredQuery.builder("lab_result").aggregate(count()).limit(10).build(),
        "unknown table 'lab_result' (expected lab_results)");
    assertRejected(
        query -> query.aggregate(count()).limit(0), "limit must be between 1 and 100000, got 0");
    assertRejected(
        query -> query.aggregate(count()).limit(100_001),
        "limit must be between 1 and 100000, got 100001");
  }

  @Test
  void rejectsWrongNumberOfFilterValues() {
    assertRejected(
        query ->
            query.filter("collected_at", FilterOperator.BETWEEN, "2024-01-01").aggregate(count()),
        "operator 'between' needs 2 values, got 1");
    assertRejected(
        query ->
            query.filter("hospital_id", FilterOperator.EQUAL, "H001", "H002").aggregate(count()),
        "operator '=' needs 1 value, got 2");
    assertRejected(
        query -> query.filter("hospital_id", FilterOperator.IN).aggregate(count()),
        "operator 'in' needs 1 to 1000 values, got 0");
    assertRejected(
        query -> query.filter("abnormal_flag", FilterOperator.IS_NULL, "N").aggregate(count()),
        "operator 'is null' takes no values, got 1");
  }

  @Test
  void rejectsValuesThatDoNotFitTheColumn() {
    assertRejected(
        query ->
            query
                .filter("collected_at", FilterOperator.GREATER_THAN_OR_EQUAL, "yesterday")
                .aggregate(count()),
        "filter collected_at >=: value 'yesterday' is not an ISO date or date-time");
    assertRejected(
        query ->
            query.filter("value_numeric", FilterOperator.GREATER_THAN, "high").aggregate(count()),
        "filter value_numeric >: value 'high' is not a number");
    assertRejected(
        query ->
            query.filter("patient_birth_year", FilterOperator.EQUAL, 1980.5).aggregate(count()),
        "filter patient_birth_year =: value 1980.5 is not an integer");
    assertRejected(
        query -> query.filter("hospital_id", FilterOperator.IN, "H001", 2).aggregate(count()),
        "filter hospital_id in: value 2 is not a string");
    assertRejected(
        query -> query.filter("collected_at", FilterOperator.EQUAL, 20240101).aggregate(count()),
        "filter collected_at =: value 20240101 is not an ISO date or date-time string");
    assertRejected(
        query -> query.filter("value_numeric", FilterOperator.LIKE, "7%").aggregate(count()),
        "operator 'like' applies to string columns, not value_numeric");
    assertRejected(
        query ->
            query
                .filter("collected_at", FilterOperator.BETWEEN, "2024-07-01", "2024-01-01")
                .aggregate(count()),
        "filter collected_at between: lower bound 2024-07-01T00:00 is after upper bound 2024-01-01T00:00");
  }

  @Test
  void rejectsAgeBandFiltersThatAreNotBandsOrMemberships() {
    assertRejected(
        q -> q.filter("age_band", FilterOperator.IN, "20-29"),
        "filter age_band: '20-29' is not an age band (0-17, 18-29, 30-39, 40-49, 50-59, 60-69,"
            + " 70-79, 80-89, 90+)");
    assertRejected(
        q -> q.filter("age_band", FilterOperator.GREATER_THAN, "18-29"),
        "filter age_band takes operator 'in' or '=', not '>'");
    assertRejected(
        q -> q.filter("age_band", FilterOperator.EQUAL, "18-29", "90+"),
        "filter age_band = needs 1 value");
  }

  @Test
  void rejectsBucketsOnTheWrongColumn() {
    assertRejected(
        query -> query.groupBy("test_code", Bucket.MONTH).aggregate(count()),
        "bucket 'month' applies to timestamp columns, not test_code");
    assertRejected(
        query -> query.groupBy("collected_at", Bucket.AGE_BAND).aggregate(count()),
        "bucket 'age_band' applies to patient_birth_year, not collected_at");
  }

  @Test
  void rejectsAggregatesThatDoNotFitTheirColumn() {
    assertRejected(
        query -> query.aggregate(Aggregate.of(AggregateFunction.AVG, "test_name")),
        "aggregate 'avg' needs a numeric column, not test_name");
    assertRejected(
        query -> query.aggregate(Aggregate.of(AggregateFunction.MAX, "hospital_id")),
        "aggregate 'max' needs a numeric or timestamp column, not hospital_id");
    assertRejected(
        query -> query.aggregate(new Aggregate(AggregateFunction.SUM, null, null)),
        "aggregate 'sum' needs a column");
    assertRejected(
        query -> query.aggregate(Aggregate.of(AggregateFunction.COUNT, "value_numeric")),
        "aggregate 'count' takes no column, got value_numeric");
    assertRejected(
        query -> query.aggregate(Aggregate.percentile("value_numeric", 1.5)),
        "aggregate 'percentile' needs a percentile between 0 and 1 (exclusive), got 1.5");
    assertRejected(
        query ->
            query.aggregate(new Aggregate(AggregateFunction.PERCENTILE, "value_numeric", null)),
        "aggregate 'percentile' needs a percentile between 0 and 1 (exclusive), got null");
    assertRejected(
        query -> query.aggregate(new Aggregate(AggregateFunction.AVG, "value_numeric", 0.5)),
        "aggregate 'avg' takes no percentile, got 0.5");
  }

  @Test
  void rejectsInconsistentOutputs() {
    assertRejected(
        query -> query.aggregate(count()).aggregate(count()),
        "output column 'count' appears twice");
    assertRejected(
        query -> query.groupBy("test_code").aggregate(count()).columns("value_numeric"),
        "columns apply to row-level queries only; this query has group_by or aggregates");
    assertRejected(
        query -> query.groupBy("test_code").aggregate(count()).orderBy(OrderBy.descending("cont")),
        "order_by column 'cont' is not an output column (did you mean count?); output columns: test_code, count");
    assertRejected(
        query -> query.columns("test_code").orderBy(OrderBy.ascending("colected_at")),
        "unknown column 'colected_at' (did you mean collected_at?)");
  }

  @Test
  void errorsAreUserErrorsOnOneLine() {
    assertThatThrownBy(
            () ->
                compiler.compile(
                    StructuredQuery.builder("lab_results")
                        .groupBy("test_code", Bucket.YEAR)
                        .limit(1)
                        .build()))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).doesNotContain("\n");
            });
  }

  private static Aggregate count() {
    return Aggregate.of(AggregateFunction.COUNT);
  }

  /** Applies {@code mistake} to a valid query with limit 100 and expects the message. */
  private void assertRejected(UnaryOperator<StructuredQuery.Builder> mistake, String message) {
    assertRejected(
        mistake.apply(StructuredQuery.builder("lab_results").limit(100)).build(), message);
  }

  private void assertRejected(StructuredQuery query, String message) {
    assertThatThrownBy(() -> compiler.compile(query))
        .isInstanceOf(ValidationException.class)
        .hasMessage(message);
  }
}
