package org.medlake.ingest.ledger;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;

/**
 * The rejected rows of a run, read from {@code lab_results_rejects} over the files Iceberg plans
 * for it.
 */
public final class RejectedRows {
  /** One rejected row. */
  public record Row(
      @JsonProperty("line_number") long lineNumber,
      @JsonProperty("reason_codes") List<String> reasonCodes,
      @JsonProperty("raw_line") String rawLine) {
    public Row {
      reasonCodes = List.copyOf(reasonCodes);
    }
  }

  private RejectedRows() {}

  public static List<Row> read(Lakehouse lakehouse, String runId, int limit) {
    List<Row> rows = new ArrayList<>();
    try (FileCache.Lease files =
            TableScans.readableFiles(
                lakehouse.warehouse(),
                lakehouse.rejects(),
                Expressions.equal("ingest_run_id", runId));
        Connection connection = DuckDb.open("1GB", 2, lakehouse.home().temporary())) {
      if (files.paths().isEmpty()) {
        return rows;
      }
      return read(connection, files.paths(), runId, limit, rows);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot read the rejects of " + runId + ": " + e.getMessage(),
          e);
    }
  }

  /** Receives rejected rows one by one. */
  @FunctionalInterface
  public interface RowConsumer {
    void accept(Row row) throws java.io.IOException;
  }

  /**
   * Hands every rejected row of the run to {@code consumer} in line order, as DuckDB streams them
   * (the rows are never all in memory: a report of millions of rows reads in bounded heap).
   */
  public static void forEach(Lakehouse lakehouse, String runId, RowConsumer consumer)
      throws java.io.IOException {
    try (FileCache.Lease files =
            TableScans.readableFiles(
                lakehouse.warehouse(),
                lakehouse.rejects(),
                Expressions.equal("ingest_run_id", runId));
        Connection connection = DuckDb.openStreaming("1GB", 2, lakehouse.home().temporary())) {
      if (!files.paths().isEmpty()) {
        read(connection, files.paths(), runId, Integer.MAX_VALUE, consumer);
      }
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot read the rejects of " + runId + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Hands the rejected rows of a run in written but uncommitted rejects files (a held run's) to
   * {@code consumer} in line order, streamed as {@link #forEach} does.
   */
  public static void forEachInFiles(
      List<java.nio.file.Path> files,
      String runId,
      java.nio.file.Path temporaryDirectory,
      RowConsumer consumer)
      throws java.io.IOException {
    if (files.isEmpty()) {
      return;
    }
    try (Connection connection = DuckDb.openStreaming("1GB", 2, temporaryDirectory)) {
      read(connection, files, runId, Integer.MAX_VALUE, consumer);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot read the rejects of " + runId + ": " + e.getMessage(),
          e);
    }
  }

  private static List<Row> read(
      Connection connection,
      List<java.nio.file.Path> files,
      String runId,
      int limit,
      List<Row> rows)
      throws SQLException {
    try {
      read(connection, files, runId, limit, rows::add);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }

  private static void read(
      Connection connection,
      List<java.nio.file.Path> files,
      String runId,
      int limit,
      RowConsumer consumer)
      throws SQLException, java.io.IOException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT line_number, reason_codes, raw_line FROM read_parquet("
                + files.stream()
                    .map(path -> DuckDb.literal(path.toString()))
                    .collect(Collectors.joining(", ", "[", "]"))
                + ") WHERE ingest_run_id = ? ORDER BY line_number LIMIT ?")) {
      statement.setString(1, runId);
      statement.setInt(2, limit);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          Object[] reasons = (Object[]) result.getArray(2).getArray();
          List<String> codes = new ArrayList<>();
          for (Object reason : reasons) {
            codes.add(String.valueOf(reason));
          }
          consumer.accept(new Row(result.getLong(1), codes, result.getString(3)));
        }
      }
    }
  }
}
