package org.medlake.query.engine;

import java.util.Map;

/**
 * What a streamed query cost: the rows went to a {@link org.medlake.query.result.RowSink}, not into
 * memory.
 *
 * @param rows rows handed to the sink
 * @param truncated whether the query had more rows than the limit (the sink got only the first
 *     ones)
 * @param filesScanned data files DuckDB read
 * @param bytesScanned bytes of the columns read in those files, from Iceberg's per-column sizes
 *     (the estimate's {@code projected_bytes})
 * @param snapshotIds snapshot read per table (null for an empty table)
 * @param elapsedMs planning plus execution time
 */
public record StreamedResult(
    long rows,
    boolean truncated,
    long filesScanned,
    long bytesScanned,
    Map<String, Long> snapshotIds,
    long elapsedMs) {
  public StreamedResult {
    snapshotIds = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(snapshotIds));
  }
}
