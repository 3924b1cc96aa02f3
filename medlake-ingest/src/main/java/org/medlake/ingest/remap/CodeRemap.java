package org.medlake.ingest.remap;

import static java.util.Objects.requireNonNull;
import static org.medlake.lake.DuckDb.literal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.CommitConflictException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.units.UnitConversion;
import org.medlake.core.units.UnitConversions;
import org.medlake.ingest.pipeline.CodeDictionary;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.IcebergSchemas;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.ParquetRewriter;

/**
 * Fills {@code test_code} in stored rows of a source whose local code had no standard code when
 * they were ingested and has one in the source's dictionary now (docs/sources.md, code-lookup).
 * Copy-on-write: Iceberg plans the source's hospital's data files that can hold such rows (null
 * counts and bounds prune the rest), DuckDB rewrites each affected file with the codes filled and
 * every other column as it was, sorted as before, and one {@code RewriteFiles} commit swaps them
 * all. The commit is validated against the snapshot the files were planned on: when an ingest
 * replaced one of them meanwhile, the remap is planned again on the new state, so no row an ingest
 * committed is lost or brought back.
 */
public final class CodeRemap {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CodeRemap.class);

  /**
   * Snapshot summary keys of a remap commit; {@code medlake.run-id} holds the remap id, so snapshot
   * listings name it.
   */
  public static final String RUN_ID = "medlake.run-id";

  public static final String REMAP_SOURCE = "medlake.remap-source";
  public static final String ROWS_REMAPPED = "medlake.rows-remapped";
  public static final String CODES_REMAPPED = "medlake.codes-remapped";
  public static final String FILES_REWRITTEN = "medlake.files-rewritten";

  private static final String SORT = String.join(", ", LabResults.CONTRACT.sortColumns());
  private static final int ATTEMPTS = 5;

  private final Lakehouse lakehouse;
  private final MedlakeHome home;
  private final Runnable beforeCommit;
  private final UnitConversions units = UnitConversions.load();

  public CodeRemap(Lakehouse lakehouse) {
    this(lakehouse, () -> {});
  }

  /**
   * @param beforeCommit runs between planning and committing (tests use it to commit something in
   *     between)
   */
  CodeRemap(Lakehouse lakehouse, Runnable beforeCommit) {
    this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
    this.home = lakehouse.home();
    this.beforeCommit = requireNonNull(beforeCommit, "beforeCommit is null");
  }

  /** What a remap of {@code source} would change; nothing is written. */
  public RemapReport plan(String source, ProgressListener progress) {
    return run(source, true, progress);
  }

  /** Fills the codes in one commit; a source with nothing to fill is left as it is. */
  public RemapReport apply(String source, ProgressListener progress) {
    return run(source, false, progress);
  }

  private RemapReport run(String source, boolean dryRun, ProgressListener progress) {
    SourceMapping mapping = new SourceRegistry(home.sources()).load(source);
    String dictionary = CodeDictionary.file(home.sources(), mapping).getFileName().toString();
    String remapId = "remap-" + UUID.randomUUID();
    try (Connection connection =
            DuckDb.open(
                home.config().ingest().memoryLimit(),
                home.config().ingest().threads(),
                home.temporary());
        Statement statement = connection.createStatement()) {
      CodeDictionary.load(statement, home.sources(), mapping);
      Map<String, RemapSql.Mapped> codes = RemapSql.createRemapTable(connection, statement);
      try {
        return commitWithRetries(
            statement, source, dryRun, mapping, dictionary, remapId, codes, progress);
      } finally {
        deleteDirectory(workDirectory(remapId));
      }
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Remap of source '"
              + source
              + "' failed in DuckDB: "
              + e.getMessage().lines().findFirst().orElse(""),
          e);
    }
  }

  /**
   * Plans, rewrites and commits until a commit succeeds (or there is nothing to do, or the run is
   * dry).
   */
  private RemapReport commitWithRetries(
      Statement statement,
      String source,
      boolean dryRun,
      SourceMapping mapping,
      String dictionary,
      String remapId,
      Map<String, RemapSql.Mapped> codes,
      ProgressListener progress)
      throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Table table = lakehouse.labResults();
      Plan plan = plan(statement, table, mapping, codes, progress);
      List<RemapReport.Code> valid = plan.codes(codes, true);
      List<RemapReport.Code> invalid = plan.codes(codes, false);
      long rows = valid.stream().mapToLong(RemapReport.Code::rows).sum();
      if (dryRun || rows == 0) {
        return new RemapReport(
            source,
            mapping.hospitalId(),
            dictionary,
            dryRun,
            remapId,
            valid,
            invalid,
            plan.filesToRewrite(codes),
            rows,
            Optional.empty());
      }
      Optional<Long> snapshot =
          rewriteAndCommit(
              statement,
              table,
              mapping,
              plan,
              codes,
              remapId,
              valid.size(),
              rows,
              progress,
              attempt);
      if (snapshot.isPresent()) {
        LOG.info(
            "Remap {} of source {}: {} rows of {} local codes filled in {} files (snapshot {})",
            remapId,
            source,
            rows,
            valid.size(),
            plan.filesToRewrite(codes),
            snapshot.get());
        return new RemapReport(
            source,
            mapping.hospitalId(),
            dictionary,
            false,
            remapId,
            valid,
            invalid,
            plan.filesToRewrite(codes),
            rows,
            snapshot);
      }
    }
  }

  /** Where an object store's new files of a remap are written before their upload. */
  private Path workDirectory(String remapId) {
    return home.temporary().resolve(remapId);
  }

  /**
   * The files to rewrite, planned on one snapshot, with their rows to fill per local code (valid
   * and invalid codes).
   */
  private record Plan(long snapshotId, List<DataFile> files, List<RemapSql.Candidates> candidates) {
    static Plan empty() {
      return new Plan(-1, List.of(), List.of());
    }

    List<Map<String, Long>> rowsByCode() {
      return candidates.stream().map(RemapSql.Candidates::rowsByCode).toList();
    }

    /** The files holding rows of valid codes: those a remap rewrites. */
    int filesToRewrite(Map<String, RemapSql.Mapped> codes) {
      return (int)
          rowsByCode().stream()
              .filter(counts -> counts.keySet().stream().anyMatch(code -> codes.get(code).valid()))
              .count();
    }

    List<RemapReport.Code> codes(Map<String, RemapSql.Mapped> codes, boolean valid) {
      Map<String, Long> total = new TreeMap<>();
      rowsByCode()
          .forEach(counts -> counts.forEach((code, rows) -> total.merge(code, rows, Long::sum)));
      List<RemapReport.Code> result = new ArrayList<>();
      total.forEach(
          (code, rows) -> {
            RemapSql.Mapped mapped = codes.get(code);
            if (mapped.valid() == valid) {
              result.add(new RemapReport.Code(code, mapped.testCode(), mapped.testName(), rows));
            }
          });
      return result;
    }
  }

  /**
   * Plans the data files of the source's hospital that can hold rows of the source without a
   * standard code and with a local code the dictionary maps, and counts those rows in each.
   */
  private Plan plan(
      Statement statement,
      Table table,
      SourceMapping mapping,
      Map<String, RemapSql.Mapped> codes,
      ProgressListener progress)
      throws SQLException {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null || codes.isEmpty()) {
      return Plan.empty();
    }
    Expression filter =
        Expressions.and(
            Expressions.equal("hospital_id", mapping.hospitalId()),
            Expressions.equal("source_id", mapping.source()),
            Expressions.isNull("test_code"),
            Expressions.in("local_code", codes.keySet().toArray()));
    List<DataFile> candidates = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(current.snapshotId()).filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new MedlakeException(
              ErrorCode.INTERNAL_ERROR,
              "Table " + table.name() + " has delete files; medlake writes copy-on-write only");
        }
        candidates.add(task.file().copyWithoutStats());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<DataFile> files = new ArrayList<>();
    List<RemapSql.Candidates> found = new ArrayList<>();
    int index = 0;
    for (DataFile file : candidates) {
      progress.update(
          mapping.source(),
          "reading file " + ++index + " of " + candidates.size(),
          (double) index / candidates.size());
      try (FileCache.Lease lease =
          lakehouse
              .warehouse()
              .readable(List.of(file.location()), List.of(file.fileSizeInBytes()))) {
        RemapSql.Candidates inFile =
            RemapSql.candidates(statement, relation(lease.paths().get(0)), mapping.source());
        if (inFile.rowsByCode().isEmpty()) {
          continue; // its bounds allowed such rows, but it holds none
        }
        files.add(file);
        found.add(inFile);
      }
    }
    return new Plan(current.snapshotId(), files, found);
  }

  /**
   * Rewrites the planned files that hold rows of valid codes and commits them as one rewrite; empty
   * when a concurrent commit changed a planned file (the caller plans again).
   */
  private Optional<Long> rewriteAndCommit(
      Statement statement,
      Table table,
      SourceMapping mapping,
      Plan plan,
      Map<String, RemapSql.Mapped> codes,
      String remapId,
      int codeCount,
      long rows,
      ProgressListener progress,
      int attempt)
      throws SQLException {
    ParquetRewriter rewriter = new ParquetRewriter(home, LabResults.CONTRACT, SORT);
    boolean namesFromFile =
        mapping.columns().containsKey(SourceMapping.Field.TEST_NAME)
            || mapping.constants().containsKey(SourceMapping.Field.TEST_NAME);
    Path work = workDirectory(remapId);
    List<DataFile> replaced = new ArrayList<>();
    List<ParquetRewriter.Staged> staged = new ArrayList<>();
    long filled = 0;
    try {
      for (int index = 0; index < plan.files().size(); index++) {
        Map<String, Long> counts = plan.candidates().get(index).rowsByCode();
        Map<String, RemapSql.Mapped> applied = new LinkedHashMap<>();
        counts.keySet().stream()
            .filter(code -> codes.get(code).valid())
            .forEach(code -> applied.put(code, codes.get(code)));
        if (applied.isEmpty()) {
          continue; // only rows of invalid codes: nothing to change
        }
        Map<String, Map<String, UnitConversion>> conversions = new TreeMap<>();
        for (RemapSql.Mapped mapped : applied.values()) {
          for (String unit : plan.candidates().get(index).units()) {
            conversions
                .computeIfAbsent(mapped.testCode(), code -> new TreeMap<>())
                .put(unit, units.convert(mapped.testCode(), unit));
          }
        }
        DataFile file = plan.files().get(index);
        progress.update(
            mapping.source(),
            "rewriting file " + (index + 1) + " of " + plan.files().size(),
            (double) (index + 1) / plan.files().size());
        RemapSql.Fingerprint before;
        try (FileCache.Lease lease =
            lakehouse
                .warehouse()
                .readable(List.of(file.location()), List.of(file.fileSizeInBytes()))) {
          before = RemapSql.fingerprint(statement, relation(lease.paths().get(0)));
        }
        ParquetRewriter.Staged written =
            rewriter.stageTransformed(
                lakehouse.warehouse(),
                table,
                List.of(file),
                RemapSql.fill(applied, conversions, mapping.source(), namesFromFile),
                work,
                remapId + "-" + attempt + "-" + index + ".parquet");
        staged.add(written);
        long expected = applied.keySet().stream().mapToLong(counts::get).sum();
        RemapSql.Fingerprint after = RemapSql.fingerprint(statement, relation(written.file()));
        if (!after.equals(before.withCodes(before.codes() + expected))) {
          throw new MedlakeException(
              ErrorCode.INTERNAL_ERROR,
              "Remap of "
                  + file.location()
                  + " wrote "
                  + after
                  + ", expected "
                  + before
                  + " with "
                  + expected
                  + " more codes; nothing committed");
        }
        replaced.add(file);
        filled += expected;
      }
    } catch (RuntimeException | SQLException e) {
      staged.forEach(ParquetRewriter::discard);
      throw e;
    }
    if (filled != rows) {
      staged.forEach(ParquetRewriter::discard);
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Remap filled " + filled + " rows, planned " + rows + "; nothing committed");
    }
    List<DataFile> added = new ArrayList<>();
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(plan.snapshotId());
    for (int index = 0; index < staged.size(); index++) {
      DataFile published = ParquetRewriter.publish(lakehouse.warehouse(), table, staged.get(index));
      added.add(published);
      rewrite.deleteFile(replaced.get(index));
      rewrite.addFile(published);
    }
    rewrite
        .set(RUN_ID, remapId)
        .set(REMAP_SOURCE, mapping.source())
        .set(ROWS_REMAPPED, String.valueOf(rows))
        .set(CODES_REMAPPED, String.valueOf(codeCount))
        .set(FILES_REWRITTEN, String.valueOf(added.size()));
    progress.update(mapping.source(), "committing", -1);
    beforeCommit.run();
    try {
      rewrite.commit();
    } catch (ValidationException | CommitFailedException e) {
      // the commit certainly did not happen: the new files are nobody's
      added.forEach(file -> deleteQuietly(table, file));
      if (attempt == ATTEMPTS) {
        throw new CommitConflictException(
            "Remap of source '"
                + mapping.source()
                + "' lost "
                + ATTEMPTS
                + " commit races: "
                + e.getMessage(),
            e);
      }
      LOG.info(
          "Remap {} of source {}: a planned file changed meanwhile ({}); planning again",
          remapId,
          mapping.source(),
          e.getMessage());
      return Optional.empty();
    } catch (CommitStateUnknownException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Remap of source '"
              + mapping.source()
              + "': the commit's outcome is unknown ("
              + e.getMessage()
              + "); run the remap again, it fills only what is still missing",
          e);
    }
    table.refresh();
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (remapId.equals(snapshot.summary().get(RUN_ID))) {
        return Optional.of(snapshot.snapshotId());
      }
    }
    throw new IllegalStateException("Commit of " + remapId + " is not in the table history");
  }

  /** A local Parquet file of the table, its columns matched by field id. */
  private static String relation(Path file) {
    return IcebergSchemas.duckDbReadParquet(LabResults.CONTRACT, literal(file.toString()));
  }

  /**
   * Removes a work directory; staged files in it were uploaded (and removed) or discarded already.
   */
  private static void deleteDirectory(Path directory) {
    if (!java.nio.file.Files.isDirectory(directory)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(directory)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // tmp/ is cleaned by later runs
    }
  }

  private static void deleteQuietly(Table table, DataFile file) {
    try {
      table.io().deleteFile(file.location());
    } catch (RuntimeException ignored) {
      // left for orphan-file removal
    }
  }
}
