package org.medlake.query.engine;

/**
 * Resource limits of one query execution.
 *
 * @param maxRows a result with more rows is refused (add a LIMIT or aggregate)
 * @param timeoutSeconds the statement is cancelled after this long
 * @param memoryLimit DuckDB memory limit, e.g. {@code 1GB}
 * @param threads DuckDB threads
 */
public record QueryLimits(long maxRows, int timeoutSeconds, String memoryLimit, int threads) {
  public static QueryLimits defaults() {
    return new QueryLimits(100_000, 120, "1GB", 2);
  }
}
