package org.medlake.query.sql;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * DuckDB's own parser, reached through {@code json_serialize_sql} and {@code json_deserialize_sql}
 * on a private in-memory database that holds no data and can reach nothing outside the process.
 */
final class DuckDbParser implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Connection connection;

  private DuckDbParser(Connection connection) {
    this.connection = connection;
  }

  private static DuckDbParser shared;

  /**
   * The process-wide parser; callers synchronize on it (a JDBC connection is not for concurrent
   * use).
   */
  static synchronized DuckDbParser shared() {
    if (shared == null) {
      shared = open();
    }
    return shared;
  }

  static DuckDbParser open() {
    Properties properties = new Properties();
    properties.setProperty("autoinstall_known_extensions", "false");
    properties.setProperty("autoload_known_extensions", "false");
    try {
      Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET enable_external_access = false");
        statement.execute("SET lock_configuration = true");
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return new DuckDbParser(connection);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Cannot open the DuckDB parser: " + e.getMessage(), e);
    }
  }

  /**
   * The parse tree of {@code sql}; DuckDB reports errors inside the tree ({@code "error": true}).
   */
  JsonNode serialize(String sql) {
    String json = call("SELECT json_serialize_sql(CAST(? AS VARCHAR))", sql);
    try {
      return MAPPER.readTree(json);
    } catch (JacksonException e) {
      // Jackson limits nesting depth; a tree deeper than that is not an analytical query
      throw new SqlRefusedException(
          "Query is too complex to check (" + firstLine(e.getOriginalMessage()) + ")");
    }
  }

  /** SQL text for a parse tree previously returned by {@link #serialize}. */
  String deserialize(JsonNode tree) {
    String json;
    try {
      json = MAPPER.writeValueAsString(tree);
    } catch (JacksonException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot write a DuckDB parse tree: " + e.getOriginalMessage(),
          e);
    }
    return call("SELECT json_deserialize_sql(CAST(? AS JSON))", json);
  }

  private String call(String query, String argument) {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      statement.setString(1, argument);
      try (ResultSet resultSet = statement.executeQuery()) {
        if (!resultSet.next()) {
          throw new MedlakeException(
              ErrorCode.INTERNAL_ERROR, "DuckDB returned no row for: " + query);
        }
        String result = resultSet.getString(1);
        if (result == null) {
          throw new MedlakeException(
              ErrorCode.INTERNAL_ERROR, "DuckDB returned NULL for: " + query);
        }
        return result;
      }
    } catch (SQLException e) {
      // json_deserialize_sql fails on trees it cannot print back; refuse rather than guess
      throw new SqlRefusedException("Query cannot be checked: " + firstLine(e.getMessage()));
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Cannot close the DuckDB parser: " + e.getMessage(), e);
    }
  }
}
