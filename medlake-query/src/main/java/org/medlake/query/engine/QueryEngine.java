package org.medlake.query.engine;

import java.util.List;
import java.util.Map;

/**
 * Plans and executes validated queries. Planning (Iceberg metadata) always happens in medlake, so
 * estimates, budgets and cache keys are the same whichever engine executes.
 */
public interface QueryEngine {
  /** The snapshot each table of the request reads, without planning. */
  Map<String, Long> snapshots(QueryRequest request);

  /** Plans every table of the request: the pre-flight view of what the query will scan. */
  List<PlannedTable> plan(QueryRequest request);

  /** Runs the request over tables planned before (by {@link #plan}). */
  QueryResult execute(QueryRequest request, List<PlannedTable> planned);

  /**
   * Runs the request over tables planned before and hands its rows to {@code sink} as they are read
   * (downloads): at most {@code maxRows} rows, a larger result reported as truncated.
   */
  StreamedResult stream(
      QueryRequest request,
      List<PlannedTable> planned,
      long maxRows,
      org.medlake.query.result.RowSink sink);
}
