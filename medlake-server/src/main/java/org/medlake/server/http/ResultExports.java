package org.medlake.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.lake.DuckDb;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/** Writes a query result as CSV (spreadsheet formulas neutralised), JSON or Parquet. */
final class ResultExports {
  private ResultExports() {}

  enum Format {
    CSV("text/csv; charset=utf-8", "csv"),
    JSON("application/json", "json"),
    PARQUET("application/vnd.apache.parquet", "parquet");

    final String contentType;
    final String extension;

    Format(String contentType, String extension) {
      this.contentType = contentType;
      this.extension = extension;
    }

    static Format parse(String text) {
      for (Format format : values()) {
        if (format.extension.equalsIgnoreCase(text)) {
          return format;
        }
      }
      throw HttpError.badRequest("'format' must be csv, json or parquet, not '" + text + "'");
    }
  }

  static void csv(ResultTable table, OutputStream out) throws IOException {
    BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    writer.write(table.columns().stream().map(column -> quote(neutralise(column.name()))).collect(Collectors.joining(",")));
    writer.write("\r\n");
    for (List<Object> row : table.rows()) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        Object value = row.get(i);
        if (i > 0) {
          line.append(',');
        }
        if (value != null) {
          line.append(value instanceof Number || value instanceof Boolean ? value.toString() : quote(neutralise(value.toString())));
        }
      }
      writer.write(line.toString());
      writer.write("\r\n");
    }
    writer.flush();
  }

  /**
   * A text cell that a spreadsheet would run as a formula (or parse specially) gets a leading
   * apostrophe: {@code = + - @}, tab and carriage return.
   */
  static String neutralise(String cell) {
    if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
      return "'" + cell;
    }
    return cell;
  }

  private static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
      return '"' + cell.replace("\"", "\"\"") + '"';
    }
    return cell;
  }

  static void json(ResultTable table, ObjectMapper json, OutputStream out) throws IOException {
    json.writeValue(out, table);
  }

  /** Parquet through DuckDB: the rows go into a table, DuckDB writes the file (zstd). */
  static Path parquet(ResultTable table, Path temporaryDirectory) {
    try {
      Files.createDirectories(temporaryDirectory);
      Path file = Files.createTempFile(temporaryDirectory, "export-", ".parquet");
      Files.delete(file);
      try (Connection connection = DuckDb.open("512MB", 1, temporaryDirectory); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE export (" + table.columns().stream()
            .map(column -> "\"" + column.name().replace("\"", "\"\"") + "\" " + type(column)).collect(Collectors.joining(", ")) + ")");
        String placeholders = table.columns().stream().map(column -> "?").collect(Collectors.joining(", "));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO export VALUES (" + placeholders + ")")) {
          for (List<Object> row : table.rows()) {
            for (int i = 0; i < row.size(); i++) {
              Object value = row.get(i);
              insert.setObject(i + 1, value instanceof java.time.LocalDateTime time ? java.sql.Timestamp.valueOf(time)
                  : value instanceof List<?> list ? list.toString() : value);
            }
            insert.addBatch();
          }
          insert.executeBatch();
        }
        statement.execute("COPY export TO " + DuckDb.literal(file.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
      }
      return file;
    } catch (IOException | SQLException e) {
      throw new MedlakeException(ErrorCode.INTERNAL_ERROR, "Cannot write Parquet: " + e.getMessage(), e);
    }
  }

  private static String type(ResultColumn column) {
    String type = column.type().toUpperCase(java.util.Locale.ROOT);
    if (type.endsWith("[]") || type.startsWith("STRUCT") || type.startsWith("MAP")) {
      return "VARCHAR";
    }
    return type.startsWith("DECIMAL") || type.equals("HUGEINT") ? "DOUBLE" : type;
  }
}
