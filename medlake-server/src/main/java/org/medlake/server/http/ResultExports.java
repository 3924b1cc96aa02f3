package org.medlake.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
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
import org.medlake.query.result.RowSink;

/**
 * Writes a query result as CSV (spreadsheet formulas neutralised), JSON or Parquet into a spool
 * file, row by row as the engine produces them: a download never holds its rows in memory, and is
 * sent only once it is complete and within the caller's row cap.
 */
final class ResultExports {
  private static final int PARQUET_BATCH = 4096;

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

  /** A result being written to a file: {@link #finish} completes it; closing without finishing abandons it. */
  interface Spool extends RowSink, AutoCloseable {
    void finish() throws IOException;

    @Override
    void close() throws IOException;
  }

  static Spool spool(Format format, Path file, ObjectMapper json, Path temporaryDirectory) throws IOException {
    return switch (format) {
      case CSV -> new CsvSpool(file);
      case JSON -> new JsonSpool(file, json);
      case PARQUET -> new ParquetSpool(file, temporaryDirectory);
    };
  }

  /** Writes a result held in memory (aggregates) into a spool. */
  static void write(ResultTable table, Spool spool) throws IOException {
    spool.columns(table.columns());
    for (List<Object> row : table.rows()) {
      spool.row(row);
    }
    spool.finish();
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

  /** RFC 4180 with CRLF line ends; text cells neutralised, numbers and booleans as they are. */
  private static final class CsvSpool implements Spool {
    private final BufferedWriter writer;
    private final StringBuilder line = new StringBuilder();

    CsvSpool(Path file) throws IOException {
      this.writer = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      writer.write(columns.stream().map(column -> quote(neutralise(column.name()))).collect(Collectors.joining(",")));
      writer.write("\r\n");
    }

    @Override
    public void row(List<Object> row) throws IOException {
      line.setLength(0);
      for (int i = 0; i < row.size(); i++) {
        Object value = row.get(i);
        if (i > 0) {
          line.append(',');
        }
        if (value != null) {
          line.append(value instanceof Number || value instanceof Boolean ? value.toString() : quote(neutralise(value.toString())));
        }
      }
      line.append("\r\n");
      writer.append(line);
    }

    @Override
    public void finish() throws IOException {
      writer.flush();
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  /** The shape of the query endpoints' {@code result}: {@code {"columns": [...], "rows": [[...], ...]}}. */
  private static final class JsonSpool implements Spool {
    private final JsonGenerator generator;

    JsonSpool(Path file, ObjectMapper json) throws IOException {
      this.generator = json.createGenerator(Files.newOutputStream(file));
      generator.writeStartObject();
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      generator.writeFieldName("columns");
      generator.writeObject(columns);
      generator.writeArrayFieldStart("rows");
    }

    @Override
    public void row(List<Object> row) throws IOException {
      generator.writeObject(row);
    }

    @Override
    public void finish() throws IOException {
      generator.writeEndArray();
      generator.writeEndObject();
      generator.flush();
    }

    @Override
    public void close() throws IOException {
      generator.close();
    }
  }

  /** Rows go into a DuckDB table in batches (spilling to disk when large); DuckDB writes the file (zstd). */
  private static final class ParquetSpool implements Spool {
    private final Path file;
    private final Connection connection;
    private PreparedStatement insert;
    private int batched;

    ParquetSpool(Path file, Path temporaryDirectory) {
      this.file = file;
      this.connection = DuckDb.open("512MB", 1, temporaryDirectory);
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE export (" + columns.stream()
            .map(column -> "\"" + column.name().replace("\"", "\"\"") + "\" " + type(column)).collect(Collectors.joining(", ")) + ")");
        insert = connection.prepareStatement("INSERT INTO export VALUES (" + columns.stream().map(column -> "?").collect(Collectors.joining(", ")) + ")");
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void row(List<Object> row) throws IOException {
      try {
        for (int i = 0; i < row.size(); i++) {
          Object value = row.get(i);
          insert.setObject(i + 1, value instanceof java.time.LocalDateTime time ? java.sql.Timestamp.valueOf(time)
              : value instanceof java.time.LocalDate date ? java.sql.Date.valueOf(date)
              : value instanceof List<?> list ? list.toString() : value);
        }
        insert.addBatch();
        if (++batched == PARQUET_BATCH) {
          insert.executeBatch();
          batched = 0;
        }
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void finish() throws IOException {
      try (Statement statement = connection.createStatement()) {
        if (batched > 0) {
          insert.executeBatch();
          batched = 0;
        }
        Files.deleteIfExists(file);
        statement.execute("COPY export TO " + DuckDb.literal(file.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        if (insert != null) {
          insert.close();
        }
        connection.close();
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    private static MedlakeException failed(SQLException e) {
      return new MedlakeException(ErrorCode.INTERNAL_ERROR, "Cannot write Parquet: " + e.getMessage(), e);
    }

    private static String type(ResultColumn column) {
      String type = column.type().toUpperCase(java.util.Locale.ROOT);
      if (type.endsWith("[]") || type.startsWith("STRUCT") || type.startsWith("MAP")) {
        return "VARCHAR";
      }
      return type.startsWith("DECIMAL") || type.equals("HUGEINT") ? "DOUBLE" : type;
    }
  }
}
