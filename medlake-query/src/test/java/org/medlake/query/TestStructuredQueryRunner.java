package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQuery;
import org.medlake.query.structured.StructuredQueryRunner;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestStructuredQueryRunner {
  private Lakehouse lakehouse;
  private StructuredQueryRunner runner;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
    LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 30, 4);
    runner =
        new StructuredQueryRunner(
            new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(10)),
            QueryConfig.defaults());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void analystsGetTheAggregatesAndPruningUsesTheFilters() {
    StructuredQuery query =
        StructuredQueries.parse(
            """
        {"table": "lab_results", "filters": [{"column": "hospital_id", "op": "=", "values": ["H001"]}],
         "group_by": [{"column": "test_code"}], "aggregates": [{"function": "count"}, {"function": "count_distinct_patients"}],
         "limit": 100}
        """);
    QueryResult result = runner.run(query, Role.ANALYST, AsOf.CURRENT);
    assertThat(result.filesScanned()).isEqualTo(1);
    assertThat(result.table().rows())
        .extracting(row -> row.get(1))
        .containsExactly(100L, 100L, 100L);
  }

  @Test
  void viewersGetAggregatesOnlyWithAPatientCountAndSuppression() {
    StructuredQuery perHospital =
        StructuredQueries.parse(
            """
        {"table": "lab_results", "group_by": [{"column": "hospital_id"}], "aggregates": [{"function": "count"}], "limit": 100}
        """);
    QueryResult result = runner.run(perHospital, Role.VIEWER, AsOf.CURRENT);
    assertThat(result.table().columns())
        .extracting(column -> column.name())
        .containsExactly("hospital_id", "count", "patients");
    // H002 has 4 patients (suppressed); with one group column its complement, H001, is suppressed
    // too
    assertThat(result.suppressedCells()).isEqualTo(4);
    assertThat(result.table().rows())
        .allSatisfy(row -> assertThat(row.subList(1, 3)).containsOnlyNulls());
    assertThatThrownBy(
            () ->
                runner.run(
                    StructuredQueries.parse("{\"table\": \"lab_results\", \"limit\": 10}"),
                    Role.VIEWER,
                    AsOf.CURRENT))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("Viewers may run aggregate queries only: add group_by or aggregates");
    assertThatThrownBy(() -> runner.run(perHospital, Role.UPLOADER, AsOf.CURRENT))
        .hasMessage("Uploaders cannot query lab results");
    assertThat(runner.run(perHospital, Role.ANALYST, AsOf.CURRENT).table().rows())
        .containsExactly(List.of("H001", 300L), List.of("H002", 30L));
  }

  /**
   * Issue 17 (a): grouped by patient_key, collected_at and value_numeric, a viewer got row-level
   * data (suppression hid the counts, never the group values). Viewers may group only by declared
   * dimensions.
   */
  @Test
  void viewersMayGroupOnlyByDeclaredDimensions() {
    String rowLevel =
        """
        {"table": "lab_results", "group_by": [{"column": "patient_key"}, {"column": "collected_at"}, {"column": "value_numeric"}],
         "aggregates": [{"function": "count"}], "limit": 100}
        """;
    assertThatThrownBy(
            () -> runner.run(StructuredQueries.parse(rowLevel), Role.VIEWER, AsOf.CURRENT))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith(
            "viewers may group only by hospital_id, collected_at (month, quarter, year)")
        .hasMessageEndingWith("not by patient_key");
    assertThatThrownBy(() -> runner.run(group("collected_at", null), Role.VIEWER, AsOf.CURRENT))
        .hasMessage(
            "viewers may group collected_at only by bucket month or quarter or year, not by its raw value");
    assertThatThrownBy(() -> runner.run(group("value_numeric", null), Role.VIEWER, AsOf.CURRENT))
        .hasMessageEndingWith("not by value_numeric");
    assertThatThrownBy(
            () -> runner.run(group("patient_birth_year", null), Role.VIEWER, AsOf.CURRENT))
        .hasMessage(
            "viewers may group patient_birth_year only by bucket age_band, not by its raw value");
    assertThatThrownBy(
            () ->
                runner.run(
                    StructuredQueries.parse(
                        """
        {"table": "lab_results", "group_by": [{"column": "hospital_id"}], "aggregates": [{"function": "max", "column": "collected_at"}],
         "limit": 100}
        """),
                    Role.VIEWER,
                    AsOf.CURRENT))
        .hasMessage(
            "viewers may not use aggregate 'max' of collected_at: it shows one patient's value");
    assertThatThrownBy(
            () ->
                runner.run(
                    StructuredQueries.parse(
                        """
        {"table": "lab_results", "filters": [{"column": "patient_key", "op": "like", "values": ["p%"]}],
         "group_by": [{"column": "hospital_id"}], "aggregates": [{"function": "count"}], "limit": 100}
        """),
                    Role.VIEWER,
                    AsOf.CURRENT))
        .hasMessage("viewers may not filter on identifier column patient_key");
    // the declared dimensions still work for viewers, and everything still works for analysts
    assertThat(
            runner.run(group("collected_at", "quarter"), Role.VIEWER, AsOf.CURRENT).table().rows())
        .hasSize(1);
    // the web builder's list of tests: code and name (the test, not a patient)
    assertThat(
            runner
                .run(
                    StructuredQueries.parse(
                        """
        {"table": "lab_results", "group_by": [{"column": "test_code"}, {"column": "test_name"}], "aggregates": [{"function": "count"}],
         "order_by": [{"column": "test_name", "direction": "asc"}], "limit": 5000}
        """),
                    Role.VIEWER,
                    AsOf.CURRENT)
                .table()
                .rows())
        .isNotEmpty();
    assertThat(
            runner
                .run(StructuredQueries.parse(rowLevel), Role.ANALYST, AsOf.CURRENT)
                .table()
                .rows())
        .isNotEmpty();
  }

  private static StructuredQuery group(String column, String bucket) {
    return StructuredQueries.parse(
        """
        {"table": "lab_results", "group_by": [{"column": "%s"%s}], "aggregates": [{"function": "count"}], "limit": 100}
        """
            .formatted(column, bucket == null ? "" : ", \"bucket\": \"" + bucket + "\""));
  }
}
