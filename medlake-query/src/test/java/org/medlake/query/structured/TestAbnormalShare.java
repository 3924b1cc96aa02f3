package org.medlake.query.structured;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.DuckDb;

/** The effective flag and the abnormal share, case by case. */
class TestAbnormalShare {
  // flag, value, comparator, ref_low, ref_high -> effective flag
  private static final String CASES =
      """
      ('H',  5.0,  NULL, 1.0,  9.0,  'H'),
      ('N',  50.0, NULL, 1.0,  9.0,  'N'),
      (NULL, 0.5,  NULL, 1.0,  9.0,  'L'),
      (NULL, 9.5,  NULL, 1.0,  9.0,  'H'),
      (NULL, 1.0,  NULL, 1.0,  9.0,  'N'),
      (NULL, 9.0,  NULL, 1.0,  9.0,  'N'),
      (NULL, 3.0,  NULL, NULL, 5.0,  'N'),
      (NULL, 6.0,  NULL, NULL, 5.0,  'H'),
      (NULL, 70.0, NULL, 60.0, NULL, 'N'),
      (NULL, 50.0, NULL, 60.0, NULL, 'L'),
      (NULL, 5.0,  NULL, NULL, NULL, NULL),
      (NULL, NULL, NULL, 1.0,  9.0,  NULL),
      (NULL, 0.5,  '<',  1.0,  9.0,  'L'),
      (NULL, 1.0,  '<',  1.0,  9.0,  'L'),
      (NULL, 1.0,  '<=', 1.0,  9.0,  NULL),
      (NULL, 2.0,  '<',  1.0,  9.0,  NULL),
      (NULL, 0.01, '<',  NULL, 0.04, 'N'),
      (NULL, 0.5,  '>',  1.0,  9.0,  NULL),
      (NULL, 1000, '>',  1.0,  500,  'H'),
      (NULL, 500,  '>',  1.0,  500,  'H'),
      (NULL, 500,  '>=', 1.0,  500,  NULL),
      (NULL, 60.0, '>',  60.0, NULL, 'N'),
      (NULL, 59.0, '>=', 60.0, NULL, NULL)
      """;

  @Test
  void theHospitalsFlagElseTheReferenceRangesElseUnknown(@TempDir Path temporary) throws Exception {
    try (Connection connection = DuckDb.open("256MB", 1, temporary);
        Statement statement = connection.createStatement()) {
      statement.execute(table());
      List<String> expected = new ArrayList<>();
      List<String> actual = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT expected, "
                  + AbnormalShare.EFFECTIVE_FLAG
                  + " AS effective FROM lab_results ORDER BY n")) {
        while (rows.next()) {
          expected.add(rows.getString(1));
          actual.add(rows.getString(2));
        }
      }
      assertThat(actual).hasSize(23).isEqualTo(expected);
    }
  }

  @Test
  void theShareCountsOnlyKnownEffectiveFlags(@TempDir Path temporary) throws Exception {
    try (Connection connection = DuckDb.open("256MB", 1, temporary);
        Statement statement = connection.createStatement()) {
      statement.execute(table());
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT "
                  + AbnormalShare.PERCENT
                  + ", count(expected), count(*) FILTER (WHERE expected <> 'N')"
                  + " FROM lab_results")) {
        rows.next();
        assertThat(rows.getDouble(1)).isEqualTo(100.0 * rows.getLong(3) / rows.getLong(2));
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT " + AbnormalShare.PERCENT + " FROM lab_results WHERE expected IS NULL")) {
        rows.next();
        assertThat(rows.getObject(1)).as("no known flag: no share").isNull();
      }
    }
  }

  private static String table() {
    List<String> lines = CASES.strip().lines().toList();
    String values =
        IntStream.range(0, lines.size())
            .mapToObj(i -> lines.get(i).replaceFirst("\\(", "(" + i + ", "))
            .collect(Collectors.joining(" "));
    return "CREATE TABLE lab_results AS SELECT n, abnormal_flag, value_numeric::DOUBLE AS value_numeric, value_comparator,"
        + " ref_low::DOUBLE AS ref_low, ref_high::DOUBLE AS ref_high, expected FROM (VALUES "
        + values
        + ") v(n, abnormal_flag, value_numeric, value_comparator, ref_low, ref_high, expected)";
  }
}
