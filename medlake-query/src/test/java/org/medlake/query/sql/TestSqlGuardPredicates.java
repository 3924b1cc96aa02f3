package org.medlake.query.sql;

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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.query.plan.PruningPredicate;

class TestSqlGuardPredicates {
  private static final SqlGuard GUARD =
      new SqlGuard(Set.of("lab_results"), SqlGuard.defaultFunctions());

  private static List<PruningPredicate> predicates(String sql) {
    return GUARD.check(sql).predicates();
  }

  private static LocalDateTime at(String isoDateTime) {
    return LocalDateTime.parse(isoDateTime);
  }

  @Test
  void extractsTopLevelConjuncts() {
    assertThat(
            predicates(
                """
                SELECT test_code, avg(value_numeric) FROM lab_results
                WHERE hospital_id = 'H001' AND collected_at >= '2024-01-01'
                  AND collected_at < TIMESTAMP '2024-03-01' AND test_code IN ('718-7', '2345-7')
                GROUP BY test_code
                """))
        .containsExactly(
            new PruningPredicate("hospital_id", EQUAL, List.of("H001")),
            new PruningPredicate(
                "collected_at", GREATER_THAN_OR_EQUAL, List.of(at("2024-01-01T00:00"))),
            new PruningPredicate("collected_at", LESS_THAN, List.of(at("2024-03-01T00:00"))),
            new PruningPredicate("test_code", IN, List.of("718-7", "2345-7")));
  }

  @Test
  void extractsBetweenWithDatesAndTimestamps() {
    assertThat(
            predicates(
                "SELECT * FROM lab_results WHERE collected_at BETWEEN DATE '2024-01-01' AND TIMESTAMP '2024-01-31 23:59:59.5'"))
        .containsExactly(
            new PruningPredicate(
                "collected_at",
                BETWEEN,
                List.of(at("2024-01-01T00:00"), at("2024-01-31T23:59:59.5"))));
    assertThat(
            predicates("SELECT * FROM lab_results WHERE test_code BETWEEN '1000-0' AND '2999-9'"))
        .containsExactly(new PruningPredicate("test_code", BETWEEN, List.of("1000-0", "2999-9")));
  }

  @Test
  void flipsComparisonsWithTheConstantOnTheLeft() {
    assertThat(
            predicates(
                "SELECT * FROM lab_results WHERE '2024-02-01 08:30' <= collected_at AND TIMESTAMP '2024-03-01' > collected_at AND 'H002' = hospital_id"))
        .containsExactly(
            new PruningPredicate(
                "collected_at", GREATER_THAN_OR_EQUAL, List.of(at("2024-02-01T08:30"))),
            new PruningPredicate("collected_at", LESS_THAN, List.of(at("2024-03-01T00:00"))),
            new PruningPredicate("hospital_id", EQUAL, List.of("H002")));
  }

  @Test
  void acceptsColumnsQualifiedByTheTableOrItsAlias() {
    assertThat(
            predicates(
                "SELECT * FROM lab_results r WHERE r.hospital_id = 'H001' AND r.collected_at > '2024-01-15' AND lab_results.test_code = 'x'"))
        .containsExactly(
            new PruningPredicate("hospital_id", EQUAL, List.of("H001")),
            new PruningPredicate("collected_at", GREATER_THAN, List.of(at("2024-01-15T00:00"))));
    assertThat(
            predicates(
                "SELECT * FROM lab_results WHERE lab_results.collected_at <= DATE '2024-06-30'"))
        .containsExactly(
            new PruningPredicate(
                "collected_at", LESS_THAN_OR_EQUAL, List.of(at("2024-06-30T00:00"))));
  }

  @Test
  void keepsTheUsableConjunctsOfAMixedFilter() {
    assertThat(
            predicates(
                "SELECT * FROM lab_results WHERE (hospital_id = 'H001' OR hospital_id = 'H002') AND test_code = '718-7' AND value_numeric > 10"))
        .containsExactly(new PruningPredicate("test_code", EQUAL, List.of("718-7")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM lab_results",
        "SELECT * FROM lab_results WHERE hospital_id = 'H001' OR test_code = '718-7'",
        "SELECT * FROM lab_results WHERE NOT (hospital_id = 'H001')",
        "SELECT * FROM lab_results WHERE NOT (hospital_id = 'H001' AND test_code = '718-7')",
        "SELECT * FROM lab_results WHERE collected_at NOT BETWEEN DATE '2024-01-01' AND DATE '2024-02-01'",
        "SELECT * FROM lab_results WHERE test_code NOT IN ('718-7')",
        "SELECT * FROM lab_results WHERE hospital_id <> 'H001'",
        "SELECT * FROM lab_results WHERE hospital_id LIKE 'H00%'",
        "SELECT * FROM lab_results WHERE upper(hospital_id) = 'H001'",
        "SELECT * FROM lab_results WHERE hospital_id COLLATE nocase = 'h001'",
        "SELECT * FROM lab_results WHERE hospital_id = patient_key",
        "SELECT * FROM lab_results WHERE test_code IN ('718-7', upper('x'))",
        "SELECT * FROM lab_results WHERE test_code IN (SELECT '718-7')",
        "SELECT * FROM lab_results WHERE value_numeric > 5 AND patient_key = 'P1'",
        "SELECT * FROM lab_results WHERE collected_at > 'yesterday'",
        "SELECT * FROM lab_results WHERE collected_at > '2024-01-01 00:00:00.0000001'",
        "SELECT * FROM lab_results WHERE collected_at > TIMESTAMPTZ '2024-01-01 00:00:00+02'",
        "SELECT * FROM lab_results WHERE collected_at > TRY_CAST('2024-01-01' AS TIMESTAMP)",
        "SELECT * FROM lab_results WHERE hospital_id = NULL",
        "SELECT * FROM (SELECT * FROM lab_results WHERE hospital_id = 'H001') t",
        "SELECT * FROM (SELECT * FROM lab_results) t WHERE hospital_id = 'H001'",
        "WITH r AS (SELECT * FROM lab_results) SELECT * FROM r WHERE hospital_id = 'H001'",
        "WITH lab_results AS (SELECT * FROM lab_results WHERE test_code = 'x') SELECT * FROM lab_results WHERE hospital_id = 'H001'",
        "SELECT * FROM lab_results WHERE hospital_id = 'H001' UNION ALL SELECT * FROM lab_results WHERE hospital_id = 'H002'",
        "SELECT * FROM lab_results a JOIN lab_results b USING (patient_key) WHERE a.hospital_id = 'H001'",
        "SELECT * FROM lab_results WHERE hospital_id = 'H001' AND value_numeric > (SELECT avg(value_numeric) FROM lab_results)",
        "SELECT test_code AS hospital_id FROM lab_results WHERE hospital_id = 'H001'",
        "SELECT * FROM lab_results r WHERE other.hospital_id = 'H001'"
      })
  void extractsNothingItCannotProve(String sql) {
    assertThat(predicates(sql)).isEmpty();
  }
}
