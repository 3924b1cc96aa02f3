package org.medlake.query.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Functions that build long strings are refused before anything runs (issue 17, point 2): DuckDB's
 * memory_limit does not cover them, {@code lpad('x', 2000000000, 'y')} took the server to 4.4 GB.
 */
class TestSqlGuardStringGrowth {
  private static final SqlGuard GUARD =
      new SqlGuard(Set.of("lab_results"), SqlGuard.defaultFunctions());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT lpad('x', 2000000000, 'y')",
        "SELECT rpad('x', 2000000000, 'y')",
        "SELECT lpad('x', 10001, 'y')",
        "SELECT lpad('x', 2000000000::INTEGER, 'y')",
        "SELECT lpad('x', 20000 * 100000, 'y')",
        "SELECT lpad(test_code, CAST(value_numeric AS INTEGER) * 1000000, 'y') FROM lab_results",
        "SELECT lpad('x', (SELECT max(age) FROM lab_results), 'y')",
        "SELECT length(lpad('x', 2000000000, 'y'))",
        "SELECT * FROM lab_results WHERE lpad(test_code, 99999999, '0') = 'x'",
        "SELECT replace(replace(replace('xxxxxxxxxx', 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx')",
        "SELECT regexp_replace(regexp_replace(regexp_replace('x', '', 'xxxxxxxxxx', 'g'), '', 'xxxxxxxxxx', 'g'), '', 'xxxxxxxxxx', 'g')",
        "SELECT replace(test_code, 'a', test_name) FROM lab_results"
      })
  void stringAmplifiersAreRefusedAsOverTheLimit(String sql) {
    assertThatThrownBy(() -> GUARD.check(sql))
        .isInstanceOf(SqlRefusedException.class)
        .satisfies(
            e ->
                assertThat(((MedlakeException) e).errorCode())
                    .isEqualTo(ErrorCode.QUERY_LIMIT_EXCEEDED))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT lpad(test_code, 10, '0') FROM lab_results",
        "SELECT rpad(CAST(hospital_id AS VARCHAR), 10000, ' ') FROM lab_results",
        "SELECT replace(unit, 'mg/dl', 'milligrams per decilitre') FROM lab_results",
        "SELECT regexp_replace(test_code, '[^A-Z0-9]', '', 'g') FROM lab_results",
        "SELECT replace(replace(unit, '/', ' per '), 'l', 'litre') FROM lab_results"
      })
  void ordinaryPaddingAndReplacementsStillRun(String sql) {
    assertThat(GUARD.check(sql).sql()).isNotBlank();
  }

  @Test
  void theRefusalNamesTheLimit() {
    assertThatThrownBy(() -> GUARD.check("SELECT lpad('x', 2000000000, 'y')"))
        .hasMessage("Function 'lpad' width 2000000000 is over the limit of 10000 characters");
  }
}
