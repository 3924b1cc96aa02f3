package org.medlake.ingest.pipeline;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Parquet files one ingestion wrote and has not committed yet, with the row accounting.
 *
 * @param results accepted rows, one file per partition and chunk of the file
 * @param rejects the rejected rows, one file per chunk that has any
 * @param flagged rows stored with a flag, by flag code (e.g. {@code UNMAPPED_CODE=12}, {@code
 *     UNIT_NOT_CONVERTED=3})
 * @param unmappedCodes local codes without a standard code, with their row counts (the run keeps
 *     the 20 most frequent)
 */
record StagedOutput(
    List<PartitionFile> results,
    List<PartitionFile> rejects,
    long rowsRead,
    long rowsAccepted,
    long rowsRejected,
    long rowsFiltered,
    Map<String, Long> rejectedByReason,
    Map<String, Long> flagged,
    Map<String, Long> unmappedCodes) {
  StagedOutput {
    results = List.copyOf(results);
    rejects = List.copyOf(rejects);
    rejectedByReason = Map.copyOf(rejectedByReason);
    flagged = Map.copyOf(flagged);
    unmappedCodes = Map.copyOf(unmappedCodes);
    if (rowsRead != rowsAccepted + rowsRejected) {
      throw new IllegalStateException(
          "row accounting broken: read "
              + rowsRead
              + " != accepted "
              + rowsAccepted
              + " + rejected "
              + rowsRejected);
    }
  }

  /** A written Parquet file and the Iceberg partition it belongs to. */
  record PartitionFile(Path path, String partitionPath, long rows) {
    PartitionFile {
      requireNonNull(path, "path is null");
      requireNonNull(partitionPath, "partitionPath is null");
    }
  }
}
