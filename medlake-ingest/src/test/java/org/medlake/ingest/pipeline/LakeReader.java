package org.medlake.ingest.pipeline;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.lake.DuckDb;
import org.medlake.lake.TableScans;

/** Reads a table the way queries will: DuckDB over exactly the files Iceberg plans. */
final class LakeReader {
  private LakeReader() {}

  /**
   * Runs {@code sql} with {@code t} bound to the table's current files; rows rendered as strings.
   */
  static List<List<String>> query(Table table, Path temporary, String sql) {
    List<String> files = TableScans.plannedFiles(table, Expressions.alwaysTrue());
    String source =
        files.isEmpty()
            ? "(" + TableScans.emptyRelation(table) + ")"
            : "read_parquet("
                + files.stream().map(DuckDb::literal).collect(Collectors.joining(", ", "[", "]"))
                + ")";
    try (Connection connection = DuckDb.open("1GB", 2, temporary);
        Statement statement = connection.createStatement()) {
      List<List<String>> rows = new ArrayList<>();
      try (ResultSet result =
          statement.executeQuery("WITH t AS (SELECT * FROM " + source + ") " + sql)) {
        ResultSetMetaData metadata = result.getMetaData();
        while (result.next()) {
          List<String> row = new ArrayList<>();
          for (int column = 1; column <= metadata.getColumnCount(); column++) {
            row.add(result.getString(column));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code sql} over local copies of the table's files, for a warehouse in an object store;
   * rows rendered as strings.
   */
  static List<List<String>> query(org.medlake.lake.Lakehouse lakehouse, Table table, String sql) {
    try (org.medlake.lake.FileCache.Lease files =
            TableScans.readableFiles(lakehouse.warehouse(), table, Expressions.alwaysTrue());
        Connection connection = DuckDb.open("1GB", 2, lakehouse.home().temporary());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "WITH t AS (SELECT * FROM read_parquet("
                    + files.paths().stream()
                        .map(path -> DuckDb.literal(path.toString()))
                        .collect(Collectors.joining(", ", "[", "]"))
                    + ")) "
                    + sql)) {
      List<List<String>> rows = new ArrayList<>();
      ResultSetMetaData metadata = result.getMetaData();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          row.add(result.getString(column));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code sql} over local copies of the table's files, for a warehouse in an object store.
   */
  static long count(org.medlake.lake.Lakehouse lakehouse, Table table, String sql) {
    return Long.parseLong(query(lakehouse, table, sql).get(0).get(0));
  }

  static long count(Table table, Path temporary, String sql) {
    return Long.parseLong(query(table, temporary, sql).get(0).get(0));
  }
}
