package org.medlake.query.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The files Iceberg planned for one table of a query.
 *
 * @param name the table name as the query uses it
 * @param snapshotId the snapshot read, or null for a table without data
 * @param files local paths of the data files to scan
 * @param bytes total size of those files
 * @param projectedBytes bytes of the columns the query reads, from per-column sizes
 * @param totalFiles files in the snapshot before pruning
 */
public record PlannedTable(String name, Long snapshotId, List<String> files, long bytes, long projectedBytes, long totalFiles) {
  public PlannedTable {
    requireNonNull(name, "name is null");
    files = List.copyOf(files);
  }
}
