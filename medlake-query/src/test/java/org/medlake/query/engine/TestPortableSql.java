package org.medlake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.medlake.core.security.Role;
import org.medlake.query.QueryService;

class TestPortableSql {
  @Test
  void duckDbInternalNamesBecomeStandardSql() {
    assertThat(
            PortableSql.of(
                guarded(
                    "SELECT hospital_id, count(*) AS n FROM lab_results WHERE test_name LIKE 'Hb%' AND unit NOT LIKE '%/l'"
                        + " GROUP BY hospital_id")))
        .isEqualTo(
            "SELECT hospital_id, count(*) AS n FROM lab_results WHERE ((test_name LIKE 'Hb%') AND (unit NOT LIKE '%/l'))"
                + " GROUP BY hospital_id");
    assertThat(
            PortableSql.of(guarded("SELECT extract(year FROM collected_at) AS y FROM lab_results")))
        .isEqualTo("SELECT date_part('year', collected_at) AS y FROM lab_results");
  }

  @Test
  void literalsAndQuotedIdentifiersAreLeftAlone() {
    assertThat(
            PortableSql.of(
                "SELECT 'count_star() ~~ main.x' AS \"main.count_star()\", count_star() FROM t WHERE a ~~ 'it''s ~~'"))
        .isEqualTo(
            "SELECT 'count_star() ~~ main.x' AS \"main.count_star()\", count(*) FROM t WHERE a LIKE 'it''s ~~'");
    assertThat(PortableSql.of("SELECT my_count_star() , domain.x FROM t"))
        .isEqualTo("SELECT my_count_star() , domain.x FROM t");
  }

  private static String guarded(String sql) {
    return QueryService.sqlRequest(sql, Role.ANALYST, AsOf.CURRENT).sql();
  }
}
