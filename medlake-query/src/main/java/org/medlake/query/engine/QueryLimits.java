package org.medlake.query.engine;

/**
 * Resource limits of one query execution.
 *
 * @param maxRows a result with more rows is refused (add a LIMIT or aggregate)
 * @param timeoutSeconds the statement is cancelled after this long
 * @param memoryLimit DuckDB memory limit, e.g. {@code 1GB}
 * @param threads DuckDB threads
 * @param maxResultBytes a result read into memory over this size (estimated while reading) is
 *     refused
 * @param maxCellBytes a result with one value over this size is refused
 * @param maxStreamedBytes a streamed result (a download spooled to disk) over this size is refused
 */
public record QueryLimits(
    long maxRows,
    int timeoutSeconds,
    String memoryLimit,
    int threads,
    long maxResultBytes,
    long maxCellBytes,
    long maxStreamedBytes) {
  public QueryLimits(long maxRows, int timeoutSeconds, String memoryLimit, int threads) {
    this(
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        org.medlake.core.config.QueryConfig.DEFAULT_MAX_RESULT_BYTES,
        org.medlake.core.config.QueryConfig.DEFAULT_MAX_CELL_BYTES,
        org.medlake.core.config.QueryConfig.DEFAULT_MAX_EXPORT_BYTES);
  }

  public static QueryLimits defaults() {
    return new QueryLimits(100_000, 120, "1GB", 2);
  }
}
