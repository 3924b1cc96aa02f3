package org.medlake.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.config.MedlakeHome;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.query.structured.AbnormalShare;

/** A few aggregates over the lake, run by DuckDB over exactly the files Iceberg planned. */
final class LakeReport {
  private LakeReport() {}

  static void print(MedlakeHome home, Lakehouse lakehouse) throws SQLException {
    try (FileCache.Lease files =
            TableScans.readableFiles(
                lakehouse.warehouse(), lakehouse.labResults(), Expressions.alwaysTrue());
        Connection connection = DuckDb.open("1GB", 2, home.temporary());
        Statement statement = connection.createStatement()) {
      if (files.paths().isEmpty()) {
        System.out.println("lab_results is empty");
        return;
      }
      String source =
          "read_parquet("
              + files.paths().stream()
                  .map(path -> DuckDb.literal(path.toString()))
                  .collect(Collectors.joining(", ", "[", "]"))
              + ")";
      System.out.println();
      System.out.println("Rows per hospital:");
      print(
          statement,
          "SELECT hospital_id AS hospital, count(*) AS results, count(DISTINCT patient_key) AS patients,"
              + " count(DISTINCT date_trunc('month', collected_at)) AS months, min(collected_at)::DATE AS first, max(collected_at)::DATE AS last"
              + " FROM "
              + source
              + " GROUP BY ALL ORDER BY hospital");
      System.out.println();
      System.out.println("Ten most frequent tests:");
      // values in each test's canonical unit (one per test in the catalogue), so hospitals' units
      // combine
      print(
          statement,
          "SELECT test_code AS loinc, any_value(test_name) AS test, count(*) AS n, max(unit_canonical) AS unit,"
              + " round(avg(value_canonical), 2) AS mean, round(median(value_canonical), 2) AS median,"
              + " count(*) FILTER (WHERE value_numeric IS NOT NULL AND value_canonical IS NULL) AS unconverted,"
              + " round("
              + AbnormalShare.PERCENT
              + ", 1) AS pct_abnormal"
              + " FROM "
              + source
              + " GROUP BY test_code ORDER BY n DESC, loinc LIMIT 10");
      System.out.println();
      System.out.println("Hemoglobin (718-7) by sex:");
      print(
          statement,
          "SELECT patient_sex AS sex, count(*) AS n, max(unit_canonical) AS unit, round(avg(value_canonical), 2) AS mean,"
              + " round(quantile_cont(value_canonical, 0.05), 2) AS p05, round(quantile_cont(value_canonical, 0.95), 2) AS p95"
              + " FROM "
              + source
              + " WHERE test_code = '718-7' GROUP BY ALL ORDER BY sex");
    }
  }

  /** Prints the rows of {@code sql} as a table, counts with thousands separators. */
  static void print(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData metadata = result.getMetaData();
      List<String> header = new ArrayList<>();
      for (int column = 1; column <= metadata.getColumnCount(); column++) {
        header.add(metadata.getColumnLabel(column));
      }
      List<List<String>> rows = new ArrayList<>();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          Object value = result.getObject(column);
          row.add(
              value == null
                  ? ""
                  : value instanceof Long number
                      ? String.format(Locale.ROOT, "%,d", number)
                      : value.toString());
        }
        rows.add(row);
      }
      Output.table(System.out, header, rows);
    }
  }
}
