package org.medlake.query.engine;

import static org.medlake.lake.DuckDb.literal;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.medlake.query.result.RowSink;

/**
 * Runs a validated query with DuckDB over exactly the files Iceberg planned. Each query gets a
 * fresh in-memory DuckDB whose catalogue holds one view per table read; external access is then
 * switched off (only the warehouse stays readable) and the configuration locked before the query's
 * own statement runs.
 */
public final class EmbeddedQueryEngine implements QueryEngine {
  private final Lakehouse lakehouse;
  private final QueryLimits limits;
  private final Path temporaryDirectory;
  private final RefreshedTables tables;

  public EmbeddedQueryEngine(Lakehouse lakehouse, QueryLimits limits) {
    this(lakehouse, limits, java.time.Duration.ZERO);
  }

  /**
   * @param refreshInterval how stale a table's snapshot may be (zero: refreshed before every query)
   */
  public EmbeddedQueryEngine(
      Lakehouse lakehouse, QueryLimits limits, java.time.Duration refreshInterval) {
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
      planned.add(
          QueryPlanner.plan(
              name,
              tables.table(name),
              request.predicates().getOrDefault(name, List.of()),
              request.columns(),
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
    ResultTable table;
    try (Connection connection = open(planned, false, leases)) {
      table = run(connection, request, limits);
    } catch (SQLTimeoutException e) {
      throw timeLimit(e);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.QUERY_REFUSED, "Query failed: " + firstLine(e.getMessage()), e);
    } finally {
      leases.forEach(FileCache.Lease::close);
    }
    return new QueryResult(
        table,
        files(planned),
        bytes(planned),
        snapshots(planned),
        (System.nanoTime() - start) / 1_000_000,
        false,
        0);
  }

  /**
   * Runs the request over tables planned before and hands the rows to {@code sink} as DuckDB
   * produces them (results are streamed, not materialized): memory stays bounded however large the
   * result. Reads at most {@code maxRows} rows; a larger result is reported as truncated. The
   * engine's own row limit ({@code query.max-rows}) does not apply: the caller sets the limit.
   */
  @Override
  public StreamedResult stream(
      QueryRequest request, List<PlannedTable> planned, long maxRows, RowSink sink) {
    long start = System.nanoTime();
    CountingSink counted = new CountingSink(sink);
    boolean truncated;
    List<FileCache.Lease> leases = new ArrayList<>();
    try (Connection connection = open(planned, true, leases)) {
      truncated =
          run(
              connection,
              request,
              limits.timeoutSeconds(),
              maxRows,
              new ResultSize(
                  limits.maxStreamedBytes(), limits.maxCellBytes(), "query.max-export-bytes"),
              counted);
    } catch (SQLTimeoutException e) {
      throw timeLimit(e);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.QUERY_REFUSED, "Query failed: " + firstLine(e.getMessage()), e);
    } finally {
      leases.forEach(FileCache.Lease::close);
    }
    return new StreamedResult(
        counted.rows,
        truncated,
        files(planned),
        bytes(planned),
        snapshots(planned),
        (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * A locked-down DuckDB with one view per planned table over exactly its planned files. An object
   * store's files are copied locally first (DuckDB here has no httpfs) and leased (into {@code
   * leases}) until the query ends, so the bounded cache cannot evict them mid-query.
   */
  private Connection open(
      List<PlannedTable> planned, boolean streamResults, List<FileCache.Lease> leases)
      throws SQLException {
    Connection connection =
        streamResults
            ? DuckDb.openStreaming(limits.memoryLimit(), limits.threads(), temporaryDirectory)
            : DuckDb.open(limits.memoryLimit(), limits.threads(), temporaryDirectory);
    try (Statement statement = connection.createStatement()) {
      for (PlannedTable table : planned) {
        FileCache.Lease lease = lakehouse.warehouse().readable(table.files(), table.fileSizes());
        leases.add(lease);
        statement.execute("CREATE VIEW " + table.name() + " AS " + source(table, lease.paths()));
      }
      statement.execute(
          "SET allowed_directories = "
              + lakehouse.warehouse().readableDirectories().stream()
                  .map(directory -> literal(directory + "/"))
                  .collect(Collectors.joining(", ", "[", "]")));
      statement.execute("SET enable_external_access = false");
      statement.execute("SET lock_configuration = true");
      return connection;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Runs the request's statement with its bound parameters, refusing results over the row limit.
   */
  static ResultTable run(Connection connection, QueryRequest request, QueryLimits limits)
      throws SQLException {
    CollectingSink collected = new CollectingSink();
    ResultSize size =
        new ResultSize(limits.maxResultBytes(), limits.maxCellBytes(), "query.max-result-bytes");
    if (run(connection, request, limits.timeoutSeconds(), limits.maxRows(), size, collected)) {
      throw new MedlakeException(
          ErrorCode.QUERY_LIMIT_EXCEEDED,
          "The result has more than " + limits.maxRows() + " rows; aggregate or add a LIMIT");
    }
    return new ResultTable(collected.columns, collected.rows);
  }

  /**
   * Reads the rows into {@code sink}; true when there were more than {@code maxRows} (the rest is
   * not read). Each row's size is added up as it is read: a result or a value over {@code size}'s
   * limits is refused there, before the next row is read.
   */
  static boolean run(
      Connection connection,
      QueryRequest request,
      int timeoutSeconds,
      long maxRows,
      ResultSize size,
      RowSink sink)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(request.sql())) {
      statement.setQueryTimeout(timeoutSeconds);
      for (int i = 0; i < request.parameters().size(); i++) {
        statement.setObject(i + 1, request.parameters().get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        ResultSetMetaData metadata = rows.getMetaData();
        List<ResultColumn> columns = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          columns.add(
              new ResultColumn(
                  metadata.getColumnLabel(column), metadata.getColumnTypeName(column)));
        }
        sink.columns(columns);
        long count = 0;
        while (rows.next()) {
          if (count == maxRows) {
            return true;
          }
          List<Object> row = new ArrayList<>(columns.size());
          for (int column = 1; column <= columns.size(); column++) {
            row.add(value(rows.getObject(column)));
          }
          size.add(row);
          sink.row(row);
          count++;
        }
        return false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MedlakeException timeLimit(SQLTimeoutException e) {
    return new MedlakeException(
        ErrorCode.QUERY_LIMIT_EXCEEDED,
        "Query cancelled after " + limits.timeoutSeconds() + " s (time limit)",
        e);
  }

  static long files(List<PlannedTable> planned) {
    return planned.stream().mapToLong(table -> table.files().size()).sum();
  }

  /**
   * The bytes a query scans, on the estimate's definition ({@code projected_bytes}): the sizes of
   * the columns it reads in the files Iceberg planned after pruning, from per-column statistics
   * (whole files when the columns are not known, as for SQL). Estimate and answer report the same
   * number for the same snapshot.
   */
  static long bytes(List<PlannedTable> planned) {
    return planned.stream().mapToLong(PlannedTable::projectedBytes).sum();
  }

  static Map<String, Long> snapshots(List<PlannedTable> planned) {
    Map<String, Long> snapshots = new LinkedHashMap<>();
    planned.forEach(table -> snapshots.put(table.name(), table.snapshotId()));
    return snapshots;
  }

  /** The estimated size of a result's rows, as {@code query.max-result-bytes} counts it. */
  public static long estimatedBytes(ResultTable table) {
    long bytes = 0;
    for (List<Object> row : table.rows()) {
      for (Object value : row) {
        bytes += ResultSize.size(value);
      }
    }
    return bytes;
  }

  /**
   * Adds up the size of the rows read (an estimate of their bytes: text and binary values by
   * length, other values 8 or 16 bytes) and refuses a result over {@code maxBytes} or a value over
   * {@code maxCellBytes}, naming the configuration key.
   */
  static final class ResultSize {
    private final long maxBytes;
    private final long maxCellBytes;
    private final String key;
    private long bytes;

    ResultSize(long maxBytes, long maxCellBytes, String key) {
      this.maxBytes = maxBytes;
      this.maxCellBytes = maxCellBytes;
      this.key = key;
    }

    void add(List<Object> row) {
      for (Object value : row) {
        long cell = size(value);
        if (cell > maxCellBytes) {
          throw new MedlakeException(
              ErrorCode.QUERY_LIMIT_EXCEEDED,
              "A value of the result is over "
                  + maxCellBytes
                  + " bytes (query.max-cell-bytes); select shorter values");
        }
        bytes += cell;
      }
      if (bytes > maxBytes) {
        throw new MedlakeException(
            ErrorCode.QUERY_LIMIT_EXCEEDED,
            "The result is over "
                + maxBytes
                + " bytes ("
                + key
                + "); aggregate, select fewer columns or add a LIMIT");
      }
    }

    static long size(Object value) {
      if (value == null) {
        return 1;
      }
      if (value instanceof CharSequence text) {
        return text.length();
      }
      if (value instanceof byte[] binary) {
        return binary.length;
      }
      if (value instanceof java.util.Collection<?> list) {
        long sum = 16;
        for (Object element : list) {
          sum += size(element);
        }
        return sum;
      }
      if (value instanceof java.util.Map<?, ?> map) {
        long sum = 16;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          sum += size(entry.getKey()) + size(entry.getValue());
        }
        return sum;
      }
      if (value instanceof Number || value instanceof Boolean) {
        return 8;
      }
      return 16;
    }
  }

  private static final class CollectingSink implements RowSink {
    private List<ResultColumn> columns = List.of();
    private final List<List<Object>> rows = new ArrayList<>();

    @Override
    public void columns(List<ResultColumn> columns) {
      this.columns = columns;
    }

    @Override
    public void row(List<Object> row) {
      rows.add(row);
    }
  }

  /** Passes rows on and counts them. */
  static final class CountingSink implements RowSink {
    private final RowSink delegate;
    long rows;

    CountingSink(RowSink delegate) {
      this.delegate = delegate;
    }

    @Override
    public void columns(List<ResultColumn> columns) throws IOException {
      delegate.columns(columns);
    }

    @Override
    public void row(List<Object> row) throws IOException {
      delegate.row(row);
      rows++;
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

  /**
   * The table's planned files (local paths), or an empty relation with its columns when nothing was
   * planned.
   */
  private String source(PlannedTable planned, List<Path> files) {
    if (!files.isEmpty()) {
      String list =
          files.stream()
              .map(file -> literal(file.toString()))
              .collect(Collectors.joining(", ", "[", "]"));
      // older files lack the columns the contract gained since: they read as null
      return contractOf(planned.name())
          .map(
              contract ->
                  "SELECT * FROM "
                      + org.medlake.lake.IcebergSchemas.duckDbReadParquet(contract, list))
          .orElse("SELECT * FROM read_parquet(" + list + ")");
    }
    return TableScans.emptyRelation(lakehouse.table(planned.name()));
  }

  private static java.util.Optional<org.medlake.core.contract.TableContract> contractOf(
      String table) {
    return java.util.stream.Stream.of(
            org.medlake.core.contract.LabResults.CONTRACT,
            org.medlake.core.contract.LabResults.REJECTS_CONTRACT)
        .filter(contract -> contract.name().equals(table))
        .findFirst();
  }

  static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
