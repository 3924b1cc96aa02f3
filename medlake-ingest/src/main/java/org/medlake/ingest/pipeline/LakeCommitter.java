package org.medlake.ingest.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.YearMonth;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.StrictMetricsEvaluator;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.CommitConflictException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.pipeline.StagedOutput.PartitionFile;
import org.medlake.lake.DataFileRegistrar;
import org.medlake.lake.DuckDb;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.ParquetRewriter;

/**
 * Commits a staged file to the lake. Every results commit carries the run id, the file's checksum
 * and its hospital-month in the snapshot summary: that is how a resubmission finds the rows it
 * replaces and how a rerun after a crash finds out that its commit did happen.
 */
final class LakeCommitter {
  static final String RUN_ID = "medlake.run-id";
  static final String SHA256 = "medlake.source-sha256";
  static final String HOSPITAL_MONTH = "medlake.hospital-month";
  static final String ROWS_READ = "medlake.rows-read";
  static final String ROWS_ACCEPTED = "medlake.rows-accepted";
  static final String ROWS_REJECTED = "medlake.rows-rejected";
  static final String ROWS_FILTERED = "medlake.rows-filtered";
  static final String REASONS = "medlake.rejected-by-reason";

  /** The sort order of lab_results data files (IcebergSchemas' sort order). */
  static final String SORT = "test_code, collected_at";

  private final Lakehouse lakehouse;
  private final Runnable beforeResultsCommit;

  LakeCommitter(Lakehouse lakehouse) {
    this(lakehouse, () -> {});
  }

  /**
   * @param beforeResultsCommit runs between planning the results commit and making it (tests commit
   *     something in between)
   */
  LakeCommitter(Lakehouse lakehouse, Runnable beforeResultsCommit) {
    this.lakehouse = lakehouse;
    this.beforeResultsCommit = beforeResultsCommit;
  }

  /** The results snapshot of an earlier commit of this checksum, if one is live. */
  Optional<Snapshot> committedSnapshot(String sha256) {
    Table table = lakehouse.labResults();
    if (table.currentSnapshot() == null) {
      return Optional.empty();
    }
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (sha256.equals(snapshot.summary().get(SHA256))) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /**
   * Replaces the rejects of the hospital-month, then replaces (or adds) its results. The results
   * commit is the one that makes the file visible. The files are the staged run's, already in the
   * warehouse ({@link #publish}).
   */
  long commit(StagedRun staged, Set<String> recordedRuns) {
    IngestRun run = staged.run();
    String hospitalId = run.hospitalId();
    YearMonth month = YearMonth.parse(run.month());
    try {
      commitRejects(staged.rejects(), hospitalId, month);
      for (int attempt = 1; ; attempt++) {
        try {
          return commitResults(staged.results(), run, hospitalId, month, recordedRuns);
        } catch (org.apache.iceberg.exceptions.ValidationException e) {
          // a file to replace was rewritten meanwhile (maintenance compacted it): plan again on the
          // new state
          if (attempt == 3) {
            throw new CommitConflictException(
                "Commit of run " + run.id() + " failed after retries: " + e.getMessage(), e);
          }
          lakehouse.labResults().refresh();
        }
      }
    } catch (CommitFailedException e) {
      throw new CommitConflictException(
          "Commit of run " + run.id() + " failed after retries: " + e.getMessage(), e);
    }
  }

  private void commitRejects(List<DataFile> files, String hospitalId, YearMonth month) {
    Table rejects = lakehouse.rejects();
    boolean hadRejects =
        rejects.currentSnapshot() != null
            && rejects
                .newScan()
                .filter(hospitalMonthOfRejects(hospitalId, month))
                .planFiles()
                .iterator()
                .hasNext();
    if (files.isEmpty() && !hadRejects) {
      return;
    }
    OverwriteFiles overwrite =
        rejects.newOverwrite().overwriteByRowFilter(hospitalMonthOfRejects(hospitalId, month));
    files.forEach(overwrite::addFile);
    overwrite.commit();
  }

  private static org.apache.iceberg.expressions.Expression hospitalMonthOfRejects(
      String hospitalId, YearMonth month) {
    return Expressions.and(
        Expressions.equal("hospital_id", hospitalId),
        Expressions.equal("delivery_month", month.atDay(1).atStartOfDay().toString()));
  }

  /**
   * {@code recordedRuns} are the hospital-month's earlier succeeded runs in the run ledger: once
   * maintenance has expired old snapshots the table history no longer reaches back to them, and
   * their rows must still be replaced. Runs whose rows are gone already match no file.
   */
  private long commitResults(
      List<DataFile> files,
      IngestRun run,
      String hospitalId,
      YearMonth month,
      Set<String> recordedRuns) {
    String runId = run.id();
    Table table = lakehouse.labResults();
    String hospitalMonth = hospitalId + "/" + month;
    Set<String> previousRuns = new LinkedHashSet<>(recordedRuns);
    previousRuns.remove(runId);
    if (table.currentSnapshot() != null) {
      for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
        if (hospitalMonth.equals(snapshot.summary().get(HOSPITAL_MONTH))) {
          previousRuns.add(snapshot.summary().get(RUN_ID));
        }
      }
    }
    SnapshotUpdate<?> update;
    if (previousRuns.isEmpty()) {
      AppendFiles append = table.newAppend();
      files.forEach(append::appendFile);
      update = append;
    } else {
      OverwriteFiles overwrite = table.newOverwrite();
      if (table.currentSnapshot() != null) {
        // a file to replace that a rewrite (compaction, remap) swapped out meanwhile fails the
        // commit, so that
        // it is planned again, instead of the rewritten copy of the replaced rows staying in the
        // table
        overwrite
            .validateFromSnapshot(table.currentSnapshot().snapshotId())
            .validateNoConflictingDeletes();
      }
      removeRuns(table, previousRuns, runId, overwrite);
      files.forEach(overwrite::addFile);
      update = overwrite;
    }
    Map<String, String> summary =
        Map.of(
            RUN_ID, runId,
            SHA256, run.sha256(),
            HOSPITAL_MONTH, hospitalMonth,
            ROWS_READ, String.valueOf(run.rowsRead()),
            ROWS_ACCEPTED, String.valueOf(run.rowsAccepted()),
            ROWS_REJECTED, String.valueOf(run.rowsRejected()),
            ROWS_FILTERED, String.valueOf(run.rowsFiltered()),
            REASONS, encode(run.rejectedByReason()));
    summary.forEach(update::set);
    beforeResultsCommit.run();
    update.commit();
    table.refresh();
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (runId.equals(snapshot.summary().get(RUN_ID))) {
        return snapshot.snapshotId();
      }
    }
    throw new IllegalStateException("Commit of run " + runId + " is not in the table history");
  }

  /**
   * Removes every row of {@code runs}: a file that holds only their rows is deleted; a file that
   * also holds rows of other runs (merged by compaction) is replaced by a copy without them.
   */
  private void removeRuns(Table table, Set<String> runs, String runId, OverwriteFiles overwrite) {
    Expression previous = Expressions.in("ingest_run_id", runs.toArray());
    StrictMetricsEvaluator onlyPrevious = new StrictMetricsEvaluator(table.schema(), previous);
    String keep =
        "ingest_run_id NOT IN "
            + runs.stream().map(DuckDb::literal).collect(Collectors.joining(", ", "(", ")"));
    ParquetRewriter rewriter = new ParquetRewriter(lakehouse.home(), LabResults.CONTRACT, SORT);
    int sequence = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(previous).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        if (onlyPrevious.eval(file)) {
          overwrite.deleteFile(file);
          continue;
        }
        ParquetRewriter.Staged kept =
            rewriter.stage(
                lakehouse.warehouse(),
                table,
                List.of(file),
                keep,
                lakehouse.home().temporary().resolve(runId),
                runId + "-kept-" + sequence++ + ".parquet");
        if (kept.rows() == file.recordCount()) {
          // the file's bounds spanned a replaced run, but it holds none of its rows
          ParquetRewriter.discard(kept);
          continue;
        }
        overwrite.deleteFile(file);
        if (kept.rows() > 0) {
          overwrite.addFile(ParquetRewriter.publish(lakehouse.warehouse(), table, kept));
        } else {
          ParquetRewriter.discard(kept);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes written files committable from any machine: publishes them to the warehouse (an upload
   * for an object store) and describes them for Iceberg from their footers, side by side, in their
   * order (a file spanning many months has many).
   */
  List<DataFile> publish(Table table, List<PartitionFile> files) {
    MetricsConfig metricsConfig = MetricsConfig.forTable(table);
    return files.parallelStream().map(file -> publish(table, metricsConfig, file)).toList();
  }

  /**
   * Publishes a staged file to the warehouse and registers it; the rows its footer counts must be
   * the rows the writer reported (the run's accounting).
   */
  private DataFile publish(Table table, MetricsConfig metricsConfig, PartitionFile file) {
    String location = lakehouse.warehouse().publish(table, file.path(), file.partitionPath());
    DataFile registered =
        DataFileRegistrar.register(
            table, metricsConfig, file.path(), location, file.partitionPath());
    if (registered.recordCount() != file.rows()) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "row accounting broken: "
              + file.path().getFileName()
              + " holds "
              + registered.recordCount()
              + " rows, but "
              + file.rows()
              + " were written to it");
    }
    return registered;
  }

  /**
   * Deletes published files that will never be committed (a held run's), through the warehouse's
   * FileIO.
   */
  void discard(List<DataFile> files) {
    for (DataFile file : files) {
      lakehouse.warehouse().io().deleteFile(file.location());
    }
  }

  static String encode(Map<String, Long> reasons) {
    return reasons.entrySet().stream()
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(","));
  }

  static Map<String, Long> decode(String reasons) {
    if (reasons == null || reasons.isBlank()) {
      return Map.of();
    }
    return java.util.Arrays.stream(reasons.split(","))
        .map(pair -> pair.split("="))
        .collect(
            Collectors.toMap(
                pair -> pair[0],
                pair -> Long.parseLong(pair[1]),
                Long::sum,
                java.util.TreeMap::new));
  }
}
