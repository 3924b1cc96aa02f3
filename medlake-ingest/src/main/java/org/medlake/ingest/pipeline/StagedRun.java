package org.medlake.ingest.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * What the stage half of one file's ingestion ({@link IngestService#stage}) hands to the commit
 * half ({@link IngestService#commit}), possibly on another machine: the run and the data files it
 * wrote, already in the warehouse (uploaded to an object store) and described for Iceberg (footer
 * metrics). Java-serializable: the Spark job's tasks return it to the driver.
 *
 * @param run the run to record: {@link RunStatus#SUCCEEDED} (a candidate, without snapshot or
 *     duration yet) when there is something to commit, else the final run ({@link
 *     RunStatus#DUPLICATE})
 * @param localDelivery the delivered local file, next to which the rejects report goes; empty for
 *     an object-store delivery
 * @param results the accepted rows' data files, for {@code lab_results}
 * @param rejects the rejected rows' data files, for {@code lab_results_rejects}
 * @param stageMillis how long the stage half took, counted in the run's duration
 */
public record StagedRun(
    IngestRun run,
    String localDelivery,
    List<DataFile> results,
    List<DataFile> rejects,
    long stageMillis)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public StagedRun {
    requireNonNull(run, "run is null");
    requireNonNull(localDelivery, "localDelivery is null");
    results = List.copyOf(results);
    rejects = List.copyOf(rejects);
  }

  /** A run that was settled while staging (a duplicate): nothing to commit. */
  static StagedRun settled(IngestRun run) {
    return new StagedRun(run, "", List.of(), List.of(), run.durationMs());
  }

  /**
   * Whether the commit half has something to do: a candidate run with its files (possibly none).
   */
  public boolean pending() {
    return run.status() == RunStatus.SUCCEEDED && run.snapshotId() == null;
  }

  /** The local delivered file, for the rejects report next to it. */
  public Optional<Path> localFile() {
    return localDelivery.isEmpty() ? Optional.empty() : Optional.of(Path.of(localDelivery));
  }

  /** Bytes of all the run's data files. */
  public long bytesOut() {
    return results.stream().mapToLong(DataFile::fileSizeInBytes).sum()
        + rejects.stream().mapToLong(DataFile::fileSizeInBytes).sum();
  }
}
