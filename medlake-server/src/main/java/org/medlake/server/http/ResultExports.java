package org.medlake.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
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
      throw ApiErrors.badRequest("'format' must be csv, json or parquet, not '" + text + "'");
    }
  }

  /**
   * A result being written to a file: {@link #finish} completes it; closing without finishing
   * abandons it.
   */
  interface Spool extends RowSink, AutoCloseable {
    void finish() throws IOException;

    @Override
    void close() throws IOException;
  }

  static Spool spool(Format format, Path file, ObjectMapper json, Path temporaryDirectory)
      throws IOException {
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
   * {@link org.medlake.core.security.CsvCells#neutralise}: the one rule of every CSV the server
   * writes.
   */
  static String neutralise(String cell) {
    return org.medlake.core.security.CsvCells.neutralise(cell);
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
      this.writer =
          new BufferedWriter(
              new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      writer.write(
          columns.stream()
              .map(column -> quote(neutralise(column.name())))
              .collect(Collectors.joining(",")));
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
          line.append(
              value instanceof Number || value instanceof Boolean
                  ? value.toString()
                  : quote(neutralise(value.toString())));
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

  /**
   * The shape of the query endpoints' {@code result}: {@code {"columns": [...], "rows": [[...],
   * ...]}}.
   */
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

  /**
   * Rows go into a DuckDB table through its appender (spilling to disk when large); DuckDB writes
   * the file (zstd). Each column gets the DuckDB type of the Java values the engine hands over.
   */
  private static final class ParquetSpool implements Spool {
    private enum Kind {
      BIGINT,
      DOUBLE,
      BOOLEAN,
      TIMESTAMP,
      DATE,
      VARCHAR
    }

    private final Path file;
    private final DuckDBConnection connection;
    private DuckDBAppender appender;
    private Kind[] kinds;

    ParquetSpool(Path file, Path temporaryDirectory) throws IOException {
      this.file = file;
      try {
        this.connection =
            DuckDb.open("512MB", 1, temporaryDirectory).unwrap(DuckDBConnection.class);
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      kinds = columns.stream().map(ParquetSpool::kind).toArray(Kind[]::new);
      StringBuilder ddl = new StringBuilder("CREATE TABLE export (");
      for (int i = 0; i < columns.size(); i++) {
        ddl.append(i == 0 ? "" : ", ")
            .append('"')
            .append(columns.get(i).name().replace("\"", "\"\""))
            .append("\" ")
            .append(kinds[i]);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(ddl.append(')').toString());
        appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "export");
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void row(List<Object> row) throws IOException {
      try {
        appender.beginRow();
        for (int i = 0; i < row.size(); i++) {
          Object value = row.get(i);
          if (value == null) {
            appender.appendNull();
            continue;
          }
          switch (kinds[i]) {
            case BIGINT -> appender.append(((Number) value).longValue());
            case DOUBLE -> appender.append(((Number) value).doubleValue());
            case BOOLEAN -> appender.append((boolean) (Boolean) value);
            case TIMESTAMP -> appender.append((java.time.LocalDateTime) value);
            case DATE -> appender.append((java.time.LocalDate) value);
            case VARCHAR -> appender.append(value.toString());
            default -> throw new IllegalStateException(kinds[i].name());
          }
        }
        appender.endRow();
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void finish() throws IOException {
      try (Statement statement = connection.createStatement()) {
        appender.close();
        Files.deleteIfExists(file);
        statement.execute(
            "COPY export TO "
                + DuckDb.literal(file.toString())
                + " (FORMAT parquet, COMPRESSION zstd)");
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        if (appender != null && !appender.isClosed()) {
          appender.close();
        }
        connection.close();
      } catch (SQLException e) {
        throw failed(e);
      }
    }

    private static MedlakeException failed(SQLException e) {
      return new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Cannot write Parquet: " + e.getMessage(), e);
    }

    /** The DuckDB type of the cells the engine hands over for a result column of this type. */
    private static Kind kind(ResultColumn column) {
      String type = column.type().toUpperCase(java.util.Locale.ROOT);
      if (type.endsWith("[]") || type.startsWith("STRUCT") || type.startsWith("MAP")) {
        return Kind.VARCHAR;
      }
      return switch (type) {
        case "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UTINYINT",
            "USMALLINT",
            "UINTEGER" ->
            Kind.BIGINT;
        case "FLOAT", "DOUBLE" -> Kind.DOUBLE;
        case "BOOLEAN" -> Kind.BOOLEAN;
        case "TIMESTAMP",
            "TIMESTAMP_S",
            "TIMESTAMP_MS",
            "TIMESTAMP_NS",
            "TIMESTAMP WITH TIME ZONE" ->
            Kind.TIMESTAMP;
        case "DATE" -> Kind.DATE;
        default -> type.startsWith("DECIMAL") ? Kind.DOUBLE : Kind.VARCHAR;
      };
    }
  }
}
