package org.medlake.query.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.query.plan.PruningPredicate.Operator.BETWEEN;
import static org.medlake.query.plan.PruningPredicate.Operator.EQUAL;
import static org.medlake.query.plan.PruningPredicate.Operator.GREATER_THAN;
import static org.medlake.query.plan.PruningPredicate.Operator.GREATER_THAN_OR_EQUAL;
import static org.medlake.query.plan.PruningPredicate.Operator.IN;
import static org.medlake.query.plan.PruningPredicate.Operator.LESS_THAN;
import static org.medlake.query.plan.PruningPredicate.Operator.LESS_THAN_OR_EQUAL;

import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.core.contract.LabResults;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.structured.StructuredQuery.Aggregate;

class TestStructuredQueryCompiler {
  private final StructuredQueryCompiler compiler =
      new StructuredQueryCompiler(LabResults.CONTRACT, 100_000);

  @Test
  void compilesTheDocumentedExample() {
    CompiledQuery compiled = compiler.compile(TestStructuredQueryJson.EXAMPLE_QUERY);

    assertThat(compiled.sql())
        .startsWith(
            "SELECT \"test_code\" AS \"test_code\", "
                + "CAST(date_trunc('month', \"collected_at\") AS TIMESTAMP) AS \"collected_at_month\", CASE WHEN ")
        .contains(
            " AS \"age_band\", coalesce(\"lab_results\".\"unit_canonical\", \"test_unit\") AS \"unit_canonical\", "
                + "count(*) AS \"count\", count(DISTINCT \"patient_key\") AS \"patients\", "
                + "avg(\"value_canonical\") AS \"avg_value_canonical\", "
                + "quantile_cont(\"value_canonical\", ?) AS \"p95_value_canonical\" FROM \"lab_results\" "
                + "LEFT JOIN (SELECT \"test_code\" AS \"unit_test_code\", max(\"unit_canonical\") AS \"test_unit\" FROM \"lab_results\" "
                + "GROUP BY \"test_code\") AS \"test_units\" ON \"test_code\" = \"unit_test_code\" "
                + "WHERE \"hospital_id\" IN (?, ?) AND \"collected_at\" BETWEEN ? AND ? AND \"value_canonical\" >= ? "
                + "AND \"test_name\" LIKE ? AND \"abnormal_flag\" IS NULL GROUP BY \"test_code\", ")
        .contains(", coalesce(\"lab_results\".\"unit_canonical\", \"test_unit\") ORDER BY ")
        .endsWith(" ORDER BY \"test_code\" ASC LIMIT ?");
    assertThat(compiled.parameters())
        .containsExactly(
            0.95,
            "H001",
            "H002",
            LocalDateTime.of(2024, 1, 1, 0, 0),
            LocalDateTime.of(2024, 6, 30, 23, 59, 59),
            7.5,
            "%glucose%",
            1000);
    assertThat(compiled.sql().chars().filter(c -> c == '?').count())
        .isEqualTo(compiled.parameters().size());
    // the unit follows the test: the groups for small-cell suppression are those asked for
    assertThat(compiled.groupColumns())
        .containsExactly("test_code", "collected_at_month", "age_band");
    assertThat(compiled.outputColumns())
        .containsExactly(
            "test_code",
            "collected_at_month",
            "age_band",
            "unit_canonical",
            "count",
            "patients",
            "avg_value_canonical",
            "p95_value_canonical");
  }

  @Test
  void valueAggregatesAreGroupedByTheirUnit() {
    CompiledQuery delivered =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .groupBy("test_code")
                .aggregate(Aggregate.of(AggregateFunction.AVG, "value_numeric"))
                .aggregate(Aggregate.of(AggregateFunction.MAX, "ref_high"))
                .limit(10)
                .build());
    assertThat(delivered.outputColumns())
        .containsExactly("test_code", "unit", "avg_value_numeric", "max_ref_high");
    assertThat(delivered.groupColumns()).containsExactly("test_code", "unit");
    assertThat(delivered.sql())
        .contains(" GROUP BY \"test_code\", \"unit\" ")
        .doesNotContain("JOIN");

    // without the test among the groups, the canonical unit is a group of its own
    CompiledQuery perMonth =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .groupBy("collected_at", Bucket.MONTH)
                .aggregate(Aggregate.of(AggregateFunction.MIN, "value_canonical"))
                .limit(10)
                .build());
    assertThat(perMonth.outputColumns())
        .containsExactly("collected_at_month", "unit_canonical", "min_value_canonical");
    assertThat(perMonth.groupColumns()).containsExactly("collected_at_month", "unit_canonical");

    // a unit already grouped by is not added again; counts, titers and ordinals have no unit
    CompiledQuery grouped =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .groupBy("unit_canonical")
                .aggregate(Aggregate.of(AggregateFunction.AVG, "value_canonical"))
                .aggregate(Aggregate.of(AggregateFunction.MAX, "value_titer"))
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(10)
                .build());
    assertThat(grouped.outputColumns())
        .containsExactly("unit_canonical", "avg_value_canonical", "max_value_titer", "count");
    assertThat(grouped.sql()).doesNotContain("JOIN");
  }

  @Test
  void bindsValuesInTheColumnsTypes() {
    CompiledQuery compiled =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .filter("patient_birth_year", FilterOperator.GREATER_THAN, 1950)
                .filter("value_numeric", FilterOperator.LESS_THAN, 7)
                .filter("collected_at", FilterOperator.GREATER_THAN_OR_EQUAL, "2024-03-01 06:30")
                .filter("resulted_at", FilterOperator.LESS_THAN, "2024-03-01T12:00:00+02:00")
                .filter("patient_sex", FilterOperator.EQUAL, "F")
                .limit(10)
                .build());
    assertThat(compiled.parameters())
        .containsExactly(
            1950,
            7.0,
            LocalDateTime.of(2024, 3, 1, 6, 30),
            LocalDateTime.of(2024, 3, 1, 10, 0),
            "F",
            10);
    assertThat(compiled.parameters())
        .extracting(Object::getClass)
        .containsExactly(
            Integer.class,
            Double.class,
            LocalDateTime.class,
            LocalDateTime.class,
            String.class,
            Integer.class);
  }

  @Test
  void rowLevelQueriesSelectAllColumnsByDefault() {
    CompiledQuery compiled =
        compiler.compile(StructuredQuery.builder("lab_results").limit(5).build());
    assertThat(compiled.outputColumns()).isEqualTo(LabResults.CONTRACT.columnNames());
    assertThat(compiled.groupColumns()).isEmpty();
    assertThat(compiled.sql())
        .startsWith("SELECT \"hospital_id\", \"patient_key\", ")
        .endsWith(" FROM \"lab_results\" LIMIT ?");
    assertThat(compiled.parameters()).containsExactly(5);
    assertThat(compiled.predicates()).isEmpty();
  }

  @Test
  void emitsPruningPredicatesForPartitionAndSortColumns() {
    CompiledQuery compiled =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .filter("hospital_id", FilterOperator.EQUAL, "H001")
                .filter("hospital_id", FilterOperator.IN, "H001", "H002")
                .filter("collected_at", FilterOperator.BETWEEN, "2024-01-01", "2024-06-30T23:59:59")
                .filter("collected_at", FilterOperator.GREATER_THAN, "2023-12-31")
                .filter("collected_at", FilterOperator.LESS_THAN, "2025-01-01")
                .filter("test_code", FilterOperator.GREATER_THAN_OR_EQUAL, "2000-0")
                .filter("test_code", FilterOperator.LESS_THAN_OR_EQUAL, "3000-0")
                // Not prunable: other columns, and operators Iceberg cannot use to skip files.
                .filter("test_code", FilterOperator.NOT_EQUAL, "718-7")
                .filter("test_code", FilterOperator.LIKE, "2%")
                .filter("hospital_id", FilterOperator.IS_NOT_NULL)
                .filter("value_numeric", FilterOperator.GREATER_THAN, 1.0)
                .filter("patient_sex", FilterOperator.EQUAL, "F")
                .aggregate(Aggregate.of(AggregateFunction.COUNT))
                .limit(1)
                .build());
    assertThat(compiled.predicates())
        .containsExactly(
            new PruningPredicate("hospital_id", EQUAL, List.of("H001")),
            new PruningPredicate("hospital_id", IN, List.of("H001", "H002")),
            new PruningPredicate(
                "collected_at",
                BETWEEN,
                List.of(
                    LocalDateTime.of(2024, 1, 1, 0, 0), LocalDateTime.of(2024, 6, 30, 23, 59, 59))),
            new PruningPredicate(
                "collected_at", GREATER_THAN, List.of(LocalDateTime.of(2023, 12, 31, 0, 0))),
            new PruningPredicate(
                "collected_at", LESS_THAN, List.of(LocalDateTime.of(2025, 1, 1, 0, 0))),
            new PruningPredicate("test_code", GREATER_THAN_OR_EQUAL, List.of("2000-0")),
            new PruningPredicate("test_code", LESS_THAN_OR_EQUAL, List.of("3000-0")));
  }

  @Test
  void namesOutputColumnsReadably() {
    CompiledQuery compiled =
        compiler.compile(
            StructuredQuery.builder("lab_results")
                .groupBy("collected_at", Bucket.YEAR)
                .groupBy("patient_sex")
                .aggregate(Aggregate.of(AggregateFunction.PERCENT_ABNORMAL))
                .aggregate(Aggregate.of(AggregateFunction.SUM, "value_numeric"))
                .aggregate(Aggregate.of(AggregateFunction.MIN, "collected_at"))
                .aggregate(Aggregate.of(AggregateFunction.STDDEV, "ref_high"))
                .aggregate(Aggregate.percentile("value_numeric", 0.5))
                .aggregate(Aggregate.percentile("value_numeric", 0.999))
                .limit(1)
                .build());
    assertThat(compiled.outputColumns())
        .containsExactly(
            "collected_at_year",
            "patient_sex",
            "unit",
            "percent_abnormal",
            "sum_value_numeric",
            "min_collected_at",
            "stddev_ref_high",
            "p50_value_numeric",
            "p99_9_value_numeric");
  }
}
