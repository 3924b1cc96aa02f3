package org.medlake.query.engine;

import static org.medlake.lake.DuckDb.literal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * Runs a validated query with DuckDB over exactly the files Iceberg planned. Each query gets a
 * fresh in-memory DuckDB whose catalogue holds one view per table read; external access is then
 * switched off (only the warehouse stays readable) and the configuration locked before the
 * query's own statement runs.
 */
public final class EmbeddedQueryEngine implements QueryEngine {
  private final Lakehouse lakehouse;
  private final QueryLimits limits;
  private final Path temporaryDirectory;
  private final RefreshedTables tables;

  public EmbeddedQueryEngine(Lakehouse lakehouse, QueryLimits limits) {
    this(lakehouse, limits, java.time.Duration.ZERO);
  }

  /** @param refreshInterval how stale a table's snapshot may be (zero: refreshed before every query) */
  public EmbeddedQueryEngine(Lakehouse lakehouse, QueryLimits limits, java.time.Duration refreshInterval) {
    this.lakehouse = lakehouse;
    this.tables = new RefreshedTables(lakehouse, refreshInterval);
    this.limits = limits;
    this.temporaryDirectory = lakehouse.home().temporary();
  }

  @Override
  public Map<String, Long> snapshots(QueryRequest request) {
    Map<String, Long> snapshots = new java.util.TreeMap<>();
    for (String name : request.tables()) {
      snapshots.put(name, QueryPlanner.snapshot(tables.table(name), request.asOf()));
    }
    return snapshots;
  }

  @Override
  public List<PlannedTable> plan(QueryRequest request) {
    List<PlannedTable> planned = new ArrayList<>();
    for (String name : request.tables().stream().sorted().toList()) {
      planned.add(QueryPlanner.plan(name, tables.table(name), request.predicates().getOrDefault(name, List.of()), request.columns(),
          request.asOf()));
    }
    return planned;
  }

  public QueryResult execute(QueryRequest request) {
    return execute(request, plan(request));
  }

  @Override
  public QueryResult execute(QueryRequest request, List<PlannedTable> planned) {
    long start = System.nanoTime();
    List<FileCache.Lease> leases = new ArrayList<>();
    try (Connection connection = DuckDb.open(limits.memoryLimit(), limits.threads(), temporaryDirectory)) {
      try (Statement statement = connection.createStatement()) {
        for (PlannedTable table : planned) {
          // an object store's files are copied locally first (DuckDB here has no httpfs) and leased
          // until the query ends, so the bounded cache cannot evict them mid-query
          FileCache.Lease lease = lakehouse.warehouse().readable(table.files(), table.fileSizes());
          leases.add(lease);
          statement.execute("CREATE VIEW " + table.name() + " AS " + source(table, lease.paths()));
        }
        statement.execute("SET allowed_directories = " + lakehouse.warehouse().readableDirectories().stream()
            .map(directory -> literal(directory + "/")).collect(Collectors.joining(", ", "[", "]")));
        statement.execute("SET enable_external_access = false");
        statement.execute("SET lock_configuration = true");
      }
      ResultTable table = run(connection, request, limits);
      Map<String, Long> snapshots = new LinkedHashMap<>();
      planned.forEach(plannedTable -> snapshots.put(plannedTable.name(), plannedTable.snapshotId()));
      return new QueryResult(table, planned.stream().mapToLong(plannedTable -> plannedTable.files().size()).sum(),
          planned.stream().mapToLong(PlannedTable::bytes).sum(), snapshots, (System.nanoTime() - start) / 1_000_000, false, 0);
    } catch (SQLTimeoutException e) {
      throw new MedlakeException(ErrorCode.QUERY_LIMIT_EXCEEDED, "Query cancelled after " + limits.timeoutSeconds() + " s (time limit)", e);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.QUERY_REFUSED, "Query failed: " + firstLine(e.getMessage()), e);
    } finally {
      leases.forEach(FileCache.Lease::close);
    }
  }

  /** Runs the request's statement with its bound parameters, refusing results over the row limit. */
  static ResultTable run(Connection connection, QueryRequest request, QueryLimits limits) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(request.sql())) {
      statement.setQueryTimeout(limits.timeoutSeconds());
      for (int i = 0; i < request.parameters().size(); i++) {
        statement.setObject(i + 1, request.parameters().get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        ResultSetMetaData metadata = rows.getMetaData();
        List<ResultColumn> columns = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          columns.add(new ResultColumn(metadata.getColumnLabel(column), metadata.getColumnTypeName(column)));
        }
        List<List<Object>> values = new ArrayList<>();
        while (rows.next()) {
          if (values.size() >= limits.maxRows()) {
            throw new MedlakeException(ErrorCode.QUERY_LIMIT_EXCEEDED,
                "The result has more than " + limits.maxRows() + " rows; aggregate or add a LIMIT");
          }
          List<Object> row = new ArrayList<>(columns.size());
          for (int column = 1; column <= columns.size(); column++) {
            row.add(value(rows.getObject(column)));
          }
          values.add(row);
        }
        return new ResultTable(columns, values);
      }
    }
  }

  private static Object value(Object value) throws SQLException {
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (value instanceof java.sql.Array array) {
      Object[] elements = (Object[]) array.getArray();
      return java.util.Arrays.asList(elements);
    }
    if (value instanceof Integer number) {
      return number.longValue();
    }
    if (value instanceof Float number) {
      return number.doubleValue();
    }
    if (value instanceof java.math.BigInteger number) {
      return number.longValue();
    }
    return value;
  }

  /** The table's planned files, or an empty relation with its columns when nothing was planned. */
  private String source(PlannedTable planned, List<Path> files) {
    if (!files.isEmpty()) {
      return "SELECT * FROM read_parquet(" + files.stream().map(file -> literal(file.toString())).collect(Collectors.joining(", ", "[", "]")) + ")";
    }
    return TableScans.emptyRelation(lakehouse.table(planned.name()));
  }

  static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
