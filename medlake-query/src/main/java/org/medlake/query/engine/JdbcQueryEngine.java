package org.medlake.query.engine;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.List;
import java.util.Map;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.config.QueryEngineConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.query.result.ResultTable;
import org.medlake.query.result.RowSink;

/**
 * Sends validated queries to a JDBC endpoint (Trino, Athena, Spark Thrift Server) that reads the
 * same Iceberg catalog, for tables too big for one node. Planning stays local (the planner's
 * Iceberg metadata gives the estimate, the budget check and the cache key), only execution moves;
 * the endpoint's default catalog and schema (in its URL) must hold the medlake tables under their
 * own names. The guard's DuckDB serialisation is turned back into standard SQL ({@link
 * PortableSql}); SQL only DuckDB understands fails with the endpoint's error. Queries as of an
 * earlier snapshot stay on the embedded engine's side of the contract and are refused here: the SQL
 * names tables, not snapshots.
 */
public final class JdbcQueryEngine implements QueryEngine {
  private final QueryEngine planner;
  private final QueryEngineConfig config;
  private final QueryLimits limits;

  public JdbcQueryEngine(QueryEngine planner, QueryEngineConfig config, QueryLimits limits) {
    this.planner = requireNonNull(planner, "planner is null");
    this.config = requireNonNull(config, "config is null");
    this.limits = requireNonNull(limits, "limits is null");
    if (config.jdbcUrl().isEmpty()) {
      throw new IllegalArgumentException("query.jdbc.url is not set");
    }
  }

  @Override
  public Map<String, Long> snapshots(QueryRequest request) {
    return planner.snapshots(request);
  }

  @Override
  public List<PlannedTable> plan(QueryRequest request) {
    return planner.plan(request);
  }

  @Override
  public QueryResult execute(QueryRequest request, List<PlannedTable> planned) {
    QueryRequest portable = portable(request);
    long start = System.nanoTime();
    try (Connection connection =
        DriverManager.getConnection(
            config.jdbcUrl().orElseThrow(), config.connectionProperties())) {
      connection.setReadOnly(true);
      ResultTable table = EmbeddedQueryEngine.run(connection, portable, limits);
      return new QueryResult(
          table,
          EmbeddedQueryEngine.files(planned),
          EmbeddedQueryEngine.bytes(planned),
          EmbeddedQueryEngine.snapshots(planned),
          (System.nanoTime() - start) / 1_000_000,
          false,
          0);
    } catch (SQLTimeoutException e) {
      throw new MedlakeException(
          ErrorCode.QUERY_LIMIT_EXCEEDED,
          "Query cancelled after " + limits.timeoutSeconds() + " s (time limit)",
          e);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Query failed on " + endpoint() + ": " + EmbeddedQueryEngine.firstLine(e.getMessage()),
          e);
    }
  }

  @Override
  public StreamedResult stream(
      QueryRequest request, List<PlannedTable> planned, long maxRows, RowSink sink) {
    QueryRequest portable = portable(request);
    long start = System.nanoTime();
    EmbeddedQueryEngine.CountingSink counted = new EmbeddedQueryEngine.CountingSink(sink);
    try (Connection connection =
        DriverManager.getConnection(
            config.jdbcUrl().orElseThrow(), config.connectionProperties())) {
      connection.setReadOnly(true);
      boolean truncated =
          EmbeddedQueryEngine.run(
              connection,
              portable,
              limits.timeoutSeconds(),
              maxRows,
              new EmbeddedQueryEngine.ResultSize(
                  limits.maxStreamedBytes(), limits.maxCellBytes(), "query.max-export-bytes"),
              counted);
      return new StreamedResult(
          counted.rows,
          truncated,
          EmbeddedQueryEngine.files(planned),
          EmbeddedQueryEngine.bytes(planned),
          EmbeddedQueryEngine.snapshots(planned),
          (System.nanoTime() - start) / 1_000_000);
    } catch (SQLTimeoutException e) {
      throw new MedlakeException(
          ErrorCode.QUERY_LIMIT_EXCEEDED,
          "Query cancelled after " + limits.timeoutSeconds() + " s (time limit)",
          e);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Query failed on " + endpoint() + ": " + EmbeddedQueryEngine.firstLine(e.getMessage()),
          e);
    }
  }

  /**
   * The request in standard SQL; queries as of a snapshot are not routed (the SQL names tables, not
   * snapshots).
   */
  private QueryRequest portable(QueryRequest request) {
    if (!request.asOf().equals(AsOf.CURRENT)) {
      throw new MedlakeException(
          ErrorCode.QUERY_REFUSED,
          "Queries as of a snapshot or time are not routed to "
              + endpoint()
              + "; query the current data");
    }
    return new QueryRequest(
        PortableSql.of(request.sql()),
        request.parameters(),
        request.tables(),
        request.predicates(),
        request.columns(),
        request.asOf());
  }

  /** The endpoint without user information or parameters, for messages. */
  private String endpoint() {
    return PlatformConfig.shown(config.jdbcUrl().orElseThrow());
  }
}
