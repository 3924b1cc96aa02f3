package org.medlake.query.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.medlake.core.error.ValidationException;
import org.medlake.query.structured.StructuredQuery.Aggregate;
import org.medlake.query.structured.StructuredQuery.OrderBy;

class TestStructuredQueryJson {
  static final String EXAMPLE =
      """
      {"table": "lab_results",
       "filters": [{"column": "hospital_id", "op": "in", "values": ["H001","H002"]},
                   {"column": "collected_at", "op": "between", "values": ["2024-01-01", "2024-06-30T23:59:59"]},
                   {"column": "value_canonical", "op": ">=", "values": [7.5]},
                   {"column": "test_name", "op": "like", "values": ["%glucose%"]},
                   {"column": "abnormal_flag", "op": "is null"}],
       "group_by": [{"column": "test_code"}, {"column": "collected_at", "bucket": "month"},
                    {"column": "patient_birth_year", "bucket": "age_band"}],
       "aggregates": [{"function": "count"}, {"function": "count_distinct_patients"},
                      {"function": "avg", "column": "value_canonical"},
                      {"function": "percentile", "column": "value_canonical", "percentile": 0.95}],
       "order_by": [{"column": "test_code", "direction": "asc"}],
       "limit": 1000}
      """;

  static final StructuredQuery EXAMPLE_QUERY =
      StructuredQuery.builder("lab_results")
          .filter("hospital_id", FilterOperator.IN, "H001", "H002")
          .filter("collected_at", FilterOperator.BETWEEN, "2024-01-01", "2024-06-30T23:59:59")
          .filter("value_canonical", FilterOperator.GREATER_THAN_OR_EQUAL, 7.5)
          .filter("test_name", FilterOperator.LIKE, "%glucose%")
          .filter("abnormal_flag", FilterOperator.IS_NULL)
          .groupBy("test_code")
          .groupBy("collected_at", Bucket.MONTH)
          .groupBy("patient_birth_year", Bucket.AGE_BAND)
          .aggregate(Aggregate.of(AggregateFunction.COUNT))
          .aggregate(Aggregate.of(AggregateFunction.COUNT_DISTINCT_PATIENTS))
          .aggregate(Aggregate.of(AggregateFunction.AVG, "value_canonical"))
          .aggregate(Aggregate.percentile("value_canonical", 0.95))
          .orderBy(OrderBy.ascending("test_code"))
          .limit(1000)
          .build();

  @Test
  void parsesTheDocumentedExample() {
    assertThat(StructuredQueries.parse(EXAMPLE)).isEqualTo(EXAMPLE_QUERY);
  }

  @Test
  void roundTripsAggregateQuery() {
    String json = StructuredQueries.toJson(EXAMPLE_QUERY);
    assertThat(StructuredQueries.parse(json)).isEqualTo(EXAMPLE_QUERY);
    assertThat(json)
        .contains(
            "\"group_by\":[{\"column\":\"test_code\"},{\"column\":\"collected_at\",\"bucket\":\"month\"}")
        .contains("{\"column\":\"abnormal_flag\",\"op\":\"is null\",\"values\":[]}")
        .contains(
            "{\"function\":\"percentile\",\"column\":\"value_canonical\",\"percentile\":0.95}")
        .contains("\"order_by\":[{\"column\":\"test_code\",\"direction\":\"asc\"}]");
  }

  @Test
  void roundTripsRowLevelQueryWithEveryOperatorAndFunction() {
    StructuredQuery.Builder builder =
        StructuredQuery.builder("lab_results")
            .columns("hospital_id", "test_code", "value_numeric")
            .filter("patient_birth_year", FilterOperator.EQUAL, 1980)
            .filter("hospital_id", FilterOperator.NOT_EQUAL, "H002")
            .filter("value_numeric", FilterOperator.LESS_THAN, 3)
            .filter("value_numeric", FilterOperator.LESS_THAN_OR_EQUAL, 3.25)
            .filter("collected_at", FilterOperator.GREATER_THAN, "2024-01-01 08:00:00")
            .filter("ref_high", FilterOperator.GREATER_THAN_OR_EQUAL, 1L)
            .filter("abnormal_flag", FilterOperator.IS_NOT_NULL)
            .orderBy(OrderBy.descending("collected_at"))
            .limit(50);
    StructuredQuery rowLevel = builder.build();
    assertThat(StructuredQueries.parse(StructuredQueries.toJson(rowLevel))).isEqualTo(rowLevel);
    assertThat(rowLevel.rowLevel()).isTrue();

    for (AggregateFunction function : AggregateFunction.values()) {
      Aggregate aggregate =
          switch (function) {
            case COUNT, COUNT_DISTINCT_PATIENTS, PERCENT_ABNORMAL -> Aggregate.of(function);
            case SUM, AVG, MIN, MAX, STDDEV -> Aggregate.of(function, "value_numeric");
            case PERCENTILE -> Aggregate.percentile("value_numeric", 0.5);
          };
      StructuredQuery query =
          StructuredQuery.builder("lab_results")
              .groupBy("collected_at", Bucket.YEAR)
              .aggregate(aggregate)
              .limit(1)
              .build();
      assertThat(StructuredQueries.parse(StructuredQueries.toJson(query))).isEqualTo(query);
    }
  }

  @Test
  void defaultsOptionalParts() {
    StructuredQuery query =
        StructuredQueries.parse(
            """
        {"table": "lab_results", "order_by": [{"column": "test_code"}], "limit": 5}""");
    assertThat(query)
        .isEqualTo(
            StructuredQuery.builder("lab_results")
                .orderBy(OrderBy.ascending("test_code"))
                .limit(5)
                .build());
  }

  @Test
  void numbersAreNormalisedSoJavaAndJsonQueriesAreEqual() {
    StructuredQuery fromJava =
        StructuredQuery.builder("lab_results")
            .filter("patient_birth_year", FilterOperator.IN, 1980, 1990L, (short) 2000)
            .filter("value_numeric", FilterOperator.EQUAL, 2.5f)
            .limit(1)
            .build();
    assertThat(fromJava.filters().get(0).values()).containsExactly(1980L, 1990L, 2000L);
    assertThat(StructuredQueries.parse(StructuredQueries.toJson(fromJava))).isEqualTo(fromJava);
  }

  @Test
  void rejectsUnknownProperties() {
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "groupBy": [], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "unknown property 'groupBy'; known properties: "
                + "aggregates, columns, filters, group_by, limit, order_by, table");
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "filters": [{"column": "test_code", "op": "=", "value": "x"}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage("unknown property 'value' in filters[0]; known properties: column, op, values");
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "aggregates": [{"function": "avg", "col": "value_numeric"}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "unknown property 'col' in aggregates[0]; known properties: column, function, percentile");
  }

  @Test
  void rejectsMalformedQueries() {
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "filters": [{"column": "test_code", "op": "==", "values": ["x"]}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "filters[0].op: unknown operator '=='; expected one of "
                + "=, !=, <, <=, >, >=, in, between, like, is null, is not null");
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "group_by": [{"column": "collected_at", "bucket": "week"}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "group_by[0].bucket: unknown bucket 'week'; expected one of month, quarter, year, age_band");
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "aggregates": [{"function": "median", "column": "value_numeric"}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith(
            "aggregates[0].function: unknown aggregate function 'median'; expected one of count, ");
    assertThatThrownBy(
            () ->
                StructuredQueries.parse(
                    """
        {"table": "lab_results", "filters": [{"column": "test_code", "op": "=", "values": [null]}], "limit": 5}"""))
        .isInstanceOf(ValidationException.class)
        .hasMessage("filters[0]: filter on test_code has a null value; use 'is null' instead");
    assertThatThrownBy(() -> StructuredQueries.parse("{\"table\": \"lab_results\"}"))
        .isInstanceOf(ValidationException.class)
        .hasMessage("limit is required");
    assertThatThrownBy(
            () -> StructuredQueries.parse("{\"table\": \"lab_results\", \"limit\": \"many\"}"))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("invalid value at 'limit': ");
    assertThatThrownBy(() -> StructuredQueries.parse("{\"table\": "))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("structured query is not valid JSON: ")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> StructuredQueries.parse("null"))
        .isInstanceOf(ValidationException.class)
        .hasMessage("structured query must be a JSON object, got null");
  }
}
