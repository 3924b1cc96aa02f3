package org.medlake.query.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.medlake.query.result.ResultTable;

/**
 * What a query returned, with what it cost and which table versions it read.
 *
 * @param table columns with types, and rows
 * @param filesScanned data files DuckDB read
 * @param bytesScanned bytes of the columns read in those files, from Iceberg's per-column sizes
 *     (the estimate's {@code projected_bytes})
 * @param snapshotIds snapshot read per table (null for an empty table): run again as of these to
 *     reproduce
 * @param elapsedMs planning plus execution time
 * @param cached whether the answer came from the result cache
 * @param suppressedCells cells hidden by small-cell suppression
 */
public record QueryResult(
    @JsonProperty("result") ResultTable table,
    @JsonProperty("files_scanned") long filesScanned,
    @JsonProperty("bytes_scanned") long bytesScanned,
    @JsonProperty("snapshot_ids") Map<String, Long> snapshotIds,
    @JsonProperty("elapsed_ms") long elapsedMs,
    @JsonProperty("cached") boolean cached,
    @JsonProperty("suppressed_cells") int suppressedCells) {
  public QueryResult {
    requireNonNull(table, "table is null");
    snapshotIds = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(snapshotIds));
  }

  /**
   * What the audit log records of this answer, on every channel (HTTP, Flight SQL): what it read
   * ({@link #scanDetails}), whether it came from the cache, and the cells suppression withheld.
   */
  public Map<String, Object> auditDetails() {
    Map<String, Object> details = scanDetails(filesScanned, bytesScanned, elapsedMs, snapshotIds);
    details.put("cached", cached);
    details.put("suppressed_cells", suppressedCells);
    return details;
  }

  /**
   * What a query read, as the audit log records it: files, bytes, time and the snapshot of each
   * table that has one (to reproduce it).
   */
  public static Map<String, Object> scanDetails(
      long filesScanned, long bytesScanned, long elapsedMs, Map<String, Long> snapshotIds) {
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("files_scanned", filesScanned);
    details.put("bytes_scanned", bytesScanned);
    details.put("elapsed_ms", elapsedMs);
    Map<String, Object> snapshots = new java.util.LinkedHashMap<>();
    snapshotIds.forEach(
        (table, id) -> {
          if (id != null) {
            snapshots.put(table, id);
          }
        });
    details.put("snapshot_ids", snapshots);
    return details;
  }
}
