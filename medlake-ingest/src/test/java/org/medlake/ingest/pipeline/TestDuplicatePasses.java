package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.DuckDb;

/**
 * The duplicate rule finds the same first lines whether its aggregate runs in one pass or several.
 */
class TestDuplicatePasses {
  @Test
  void passesFindTheSameDuplicates(@TempDir Path temporary) throws SQLException {
    // 20,000 rows over 7,001 distinct texts; every 13th row is filtered out
    java.util.Map<Long, long[]> byText = new java.util.TreeMap<>();
    for (long i = 0; i < 20_000; i++) {
      if (i % 13 != 0) {
        long[] firstAndCount =
            byText.computeIfAbsent((i * 7919) % 7001, text -> new long[] {Long.MAX_VALUE, 0});
        firstAndCount[0] = Math.min(firstAndCount[0], i + 2);
        firstAndCount[1]++;
      }
    }
    List<Long> expected =
        byText.values().stream()
            .filter(firstAndCount -> firstAndCount[1] > 1)
            .map(firstAndCount -> firstAndCount[0])
            .sorted()
            .toList();
    List<String> one = duplicates(temporary, 1);
    assertThat(
            one.stream().map(row -> Long.parseLong(row.substring(row.indexOf(':') + 1))).toList())
        .isEqualTo(expected);
    for (int passes : new int[] {2, 3, 7}) {
      assertThat(duplicates(temporary, passes)).as("%d passes", passes).isEqualTo(one);
    }
  }

  private static List<String> duplicates(Path temporary, int passes) throws SQLException {
    try (Connection connection = DuckDb.open("512MB", 2, temporary);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE typed AS SELECT i + 2 AS line_no, md5_number(((i * 7919) % 7001)::VARCHAR) AS raw_hash,"
              + " i % 13 = 0 AS filtered FROM range(20000) r(i)");
      for (String sql : IngestSql.createDuplicates(passes, java.util.Optional.empty())) {
        statement.execute(sql);
      }
      List<String> rows = new ArrayList<>();
      try (ResultSet result =
          statement.executeQuery(
              "SELECT raw_hash::VARCHAR || ':' || first_line FROM duplicates ORDER BY first_line")) {
        while (result.next()) {
          rows.add(result.getString(1));
        }
      }
      return rows;
    }
  }
}
