package org.medlake.query.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TestSqlGuardAccepts {
  private static final SqlGuard GUARD =
      new SqlGuard(Set.of("lab_results"), SqlGuard.defaultFunctions());

  private static LabResultsDatabase database;

  @BeforeAll
  static void createDatabase() throws SQLException {
    database = LabResultsDatabase.create();
  }

  @AfterAll
  static void closeDatabase() throws SQLException {
    database.close();
  }

  static Stream<String> analyticalQueries() {
    return Stream.of(
        "SELECT count(*) FROM lab_results",
        "SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY hospital_id ORDER BY hospital_id",
        "SELECT test_code, avg(value_numeric), min(value_numeric), max(value_numeric) FROM lab_results GROUP BY test_code ORDER BY test_code",
        "SELECT count(DISTINCT patient_key) FROM lab_results",
        "SELECT test_code, quantile_cont(value_numeric, 0.5) AS median_value, quantile_cont(value_numeric, [0.25, 0.75]) AS quartiles, quantile_disc(value_numeric, 0.9) FROM lab_results GROUP BY test_code ORDER BY test_code",
        "SELECT date_trunc('month', collected_at) AS month, count(*) FROM lab_results GROUP BY 1 ORDER BY 1",
        """
        WITH monthly AS (
          SELECT hospital_id, date_trunc('month', collected_at) AS m, count(*) AS n FROM lab_results GROUP BY ALL)
        SELECT * FROM monthly WHERE n >= 1 ORDER BY hospital_id, m
        """,
        """
        SELECT a.patient_key, a.test_code, b.value_numeric - a.value_numeric AS delta
        FROM lab_results a JOIN lab_results b
          ON a.patient_key = b.patient_key AND a.test_code = b.test_code AND a.collected_at < b.collected_at
        ORDER BY 1, 2
        """,
        "SELECT patient_key, test_code, row_number() OVER (PARTITION BY patient_key ORDER BY collected_at) AS rn FROM lab_results ORDER BY patient_key, rn",
        "SELECT patient_key, test_code, value_numeric - lag(value_numeric) OVER (PARTITION BY patient_key, test_code ORDER BY collected_at) AS change FROM lab_results ORDER BY ALL",
        """
        SELECT test_code,
               CASE WHEN value_numeric < ref_low THEN 'low' WHEN value_numeric > ref_high THEN 'high' ELSE 'normal' END AS band,
               count(*)
        FROM lab_results GROUP BY ALL ORDER BY ALL
        """,
        "SELECT CAST(value_numeric AS INTEGER) AS v, value_numeric::VARCHAR AS s, TRY_CAST(value_text AS INTEGER) FROM lab_results ORDER BY ALL",
        "SELECT * FROM lab_results WHERE test_code IN ('718-7', '2345-7') ORDER BY patient_key, collected_at",
        "SELECT count(*) FROM lab_results WHERE collected_at BETWEEN TIMESTAMP '2024-01-01' AND TIMESTAMP '2024-01-31 23:59:59'",
        "SELECT test_name FROM lab_results WHERE test_name LIKE 'Gluc%' OR test_name ILIKE '%HEMOGLOBIN%' OR test_name NOT LIKE 'H%' GROUP BY 1 ORDER BY 1",
        "SELECT hospital_id, count(*) FROM lab_results GROUP BY hospital_id HAVING count(*) > 2 ORDER BY 1",
        "SELECT patient_key, collected_at FROM lab_results ORDER BY collected_at DESC, patient_key LIMIT 3 OFFSET 1",
        "SELECT hospital_id, test_code FROM lab_results WHERE test_code = '718-7' UNION ALL SELECT hospital_id, test_code FROM lab_results WHERE test_code = '2345-7' ORDER BY 1, 2",
        "SELECT patient_key FROM lab_results WHERE value_numeric > (SELECT avg(value_numeric) FROM lab_results) ORDER BY 1",
        "SELECT * FROM (SELECT patient_key, max(value_numeric) AS peak FROM lab_results GROUP BY patient_key) t WHERE peak > 10 ORDER BY 1",
        """
        SELECT patient_key FROM lab_results l
        WHERE EXISTS (SELECT 1 FROM lab_results r WHERE r.patient_key = l.patient_key AND r.abnormal_flag IN ('H', 'HH'))
        GROUP BY 1 ORDER BY 1
        """,
        "SELECT year(collected_at), month(collected_at), dayofweek(collected_at), quarter(collected_at), extract(hour FROM collected_at), date_part('week', collected_at) FROM lab_results ORDER BY ALL",
        "SELECT hospital_id, stddev_samp(value_numeric), median(value_numeric), approx_count_distinct(patient_key) FROM lab_results GROUP BY 1 ORDER BY 1",
        "SELECT test_code, string_agg(DISTINCT unit, ',' ORDER BY unit) FROM lab_results GROUP BY 1 ORDER BY 1",
        "SELECT coalesce(value_text, CAST(value_numeric AS VARCHAR)) AS shown, nullif(unit, 'g/dL') FROM lab_results ORDER BY ALL",
        "SELECT patient_sex, 2024 - patient_birth_year AS age_years, round(avg(value_numeric), 2) FROM lab_results GROUP BY ALL ORDER BY ALL",
        "SELECT date_diff('minute', collected_at, resulted_at) AS turnaround, age(resulted_at, collected_at) FROM lab_results ORDER BY 1",
        "SELECT strftime(collected_at, '%Y-%m') AS ym, count(*) FROM lab_results GROUP BY 1 ORDER BY 1",
        "SELECT count(*) FILTER (WHERE abnormal_flag IN ('H', 'HH')) AS high, count_if(abnormal_flag = 'L') AS low FROM lab_results",
        """
        WITH firsts AS (SELECT patient_key, min(collected_at) AS first_at FROM lab_results GROUP BY 1),
             counts AS (SELECT count(*) AS n, max(first_at) AS last_first FROM firsts)
        SELECT * FROM counts
        """,
        "SELECT hospital_id, test_code, value_numeric, percent_rank() OVER (PARTITION BY test_code ORDER BY value_numeric) FROM lab_results ORDER BY ALL",
        "SELECT upper(hospital_id) || '-' || lower(test_code), substr(test_name, 1, 4), length(test_name), trim('  x  '), split_part(test_code, '-', 1) FROM lab_results ORDER BY ALL",
        "SELECT patient_key, test_code FROM lab_results WHERE collected_at >= '2024-02-01' AND collected_at < DATE '2024-03-01' ORDER BY 1, 2",
        "SELECT hospital_id, test_code, count(*) FROM lab_results GROUP BY ROLLUP (hospital_id, test_code) ORDER BY ALL",
        "SELECT patient_key FROM lab_results WHERE collected_at + INTERVAL 1 DAY > TIMESTAMP '2024-03-01' AND collected_at - INTERVAL '2 hours' < TIMESTAMP '2024-03-28' ORDER BY 1",
        "SELECT regexp_extract(test_code, '(\\d+)-', 1) AS stem, regexp_matches(test_name, '^G') FROM lab_results ORDER BY ALL",
        "FROM lab_results SELECT hospital_id, patient_key WHERE value_numeric IS NOT NULL ORDER BY ALL",
        "SELECT hospital_id, count(*) FROM lab_results WHERE NOT (value_numeric IS NULL) AND abnormal_flag NOT IN ('N') GROUP BY 1 ORDER BY 1",
        "SELECT round(corr(value_numeric, ref_high), 6), round(regr_slope(value_numeric, ref_high), 6), covar_pop(value_numeric, ref_low) FROM lab_results",
        "SELECT patient_key, value_numeric, ntile(2) OVER (ORDER BY value_numeric, patient_key), dense_rank() OVER (ORDER BY hospital_id) FROM lab_results ORDER BY ALL",
        "SELECT greatest(ref_low, 0), least(ref_high, 100), abs(-value_numeric), round(ln(value_numeric + 1), 4), sqrt(value_numeric) > 3 FROM lab_results WHERE value_numeric IS NOT NULL ORDER BY ALL",
        "SELECT patient_key, max(value_numeric) FROM lab_results GROUP BY patient_key QUALIFY row_number() OVER (ORDER BY max(value_numeric) DESC) <= 2 ORDER BY 1",
        "SELECT make_date(2024, month(collected_at), 1) AS first_day, first(hospital_id ORDER BY collected_at) FROM lab_results GROUP BY 1 ORDER BY 1",
        "SELECT list_transform([1, 2, 3], x -> x * 2), list_filter([ref_low, ref_high], x -> x > 50) FROM lab_results ORDER BY ALL",
        """
        WITH per_patient AS MATERIALIZED (SELECT patient_key, count(*) AS n FROM lab_results GROUP BY 1),
             busy AS (SELECT * FROM per_patient WHERE n > 1)
        SELECT b.patient_key, b.n FROM busy b JOIN per_patient p USING (patient_key) ORDER BY 1
        """,
        "SELECT DISTINCT ON (patient_key) patient_key, test_code FROM lab_results ORDER BY patient_key, collected_at");
  }

  @ParameterizedTest
  @MethodSource("analyticalQueries")
  void acceptsAndRunsTheSameQuery(String sql) throws SQLException {
    GuardedSql guarded = GUARD.check(sql);

    List<String> original = database.rows(sql);
    assertThat(original).isNotEmpty();
    assertThat(database.rows(guarded.sql())).containsExactlyElementsOf(original);
    assertThat(guarded.tables()).containsExactly("lab_results");
  }

  @Test
  void returnsReserialisedTextNotTheRawText() {
    GuardedSql guarded =
        GUARD.check("select   hospital_id -- the hospital\nFROM \"LAB_RESULTS\" /* all */");

    assertThat(guarded.sql())
        .doesNotContain("--")
        .doesNotContain("/*")
        .containsIgnoringCase("lab_results");
    assertThat(guarded.tables()).containsExactly("lab_results");
  }

  @Test
  void tablesInTheCataloguesOwnSchemaRunAsTheCatalogueTables() throws SQLException {
    // as BI tools over Flight SQL and JDBC write them: schema.table, quoted or not
    for (String sql :
        List.of(
            "SELECT hospital_id, count(*) AS n FROM medlake.lab_results GROUP BY 1 ORDER BY 1",
            "SELECT hospital_id, count(*) AS n FROM \"MEDLAKE\".\"lab_results\" GROUP BY 1 ORDER BY 1")) {
      GuardedSql guarded = GUARD.check(sql);

      assertThat(guarded.sql()).as(sql).doesNotContainIgnoringCase("medlake.");
      assertThat(guarded.tables()).containsExactly("lab_results");
      assertThat(database.rows(guarded.sql()))
          .isEqualTo(
              database.rows(
                  "SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY 1 ORDER BY 1"))
          .isNotEmpty();
    }
  }

  @Test
  void commentHidesNoSecondStatement() throws SQLException {
    GuardedSql guarded = GUARD.check("SELECT 1 AS one -- ; DROP TABLE lab_results");

    assertThat(guarded.sql()).doesNotContainIgnoringCase("DROP");
    assertThat(guarded.tables()).isEmpty();
    assertThat(database.rows(guarded.sql())).containsExactly("1");
  }

  @Test
  void adminGuardAcceptsTheRejectsTable() {
    SqlGuard admin =
        new SqlGuard(Set.of("lab_results", "lab_results_rejects"), SqlGuard.defaultFunctions());

    GuardedSql guarded =
        admin.check(
            "SELECT r.hospital_id, count(*) FROM lab_results_rejects r JOIN lab_results l USING (hospital_id) GROUP BY 1");

    assertThat(guarded.tables()).containsExactlyInAnyOrder("lab_results", "lab_results_rejects");
  }

  @Test
  void cteShadowingACatalogueTableIsNotReportedAsReadingIt() {
    GuardedSql guarded = GUARD.check("WITH c AS (SELECT 1 AS x) SELECT * FROM c");

    assertThat(guarded.tables()).isEmpty();
  }
}
