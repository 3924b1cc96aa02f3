package org.medlake.query.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The files Iceberg planned for one table of a query.
 *
 * @param name the table name as the query uses it
 * @param snapshotId the snapshot read, or null for a table without data
 * @param files the data files to scan: local paths, or object-store locations (read through local
 *     copies)
 * @param bytes total size of those files
 * @param projectedBytes bytes of the columns the query reads, from per-column sizes
 * @param totalFiles files in the snapshot before pruning
 * @param fileSizes the size of each file in {@code files}, in bytes
 */
public record PlannedTable(
    String name,
    Long snapshotId,
    List<String> files,
    long bytes,
    long projectedBytes,
    long totalFiles,
    List<Long> fileSizes) {
  public PlannedTable {
    requireNonNull(name, "name is null");
    files = List.copyOf(files);
    fileSizes = List.copyOf(fileSizes);
    if (files.size() != fileSizes.size()) {
      throw new IllegalArgumentException("files and fileSizes differ in length");
    }
  }
}
