package org.medlake.ingest.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.file.HeaderLayout;
import org.medlake.core.file.LandingFiles;
import org.medlake.core.file.PreparedFile;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.vault.LinkVault;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.ledger.RunHold;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;

/**
 * Ingests delivered files: one run and one atomic commit per file. A file whose checksum was
 * committed before adds nothing; a new file for a hospital-month that has data replaces it.
 */
public final class IngestService implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IngestService.class);
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MedlakeHome home;
  private final Lakehouse lakehouse;
  private final RunLedger ledger;
  private final LinkVault vault;
  private final SourceRegistry sources;
  private final ProgressListener progress;

  private IngestService(
      MedlakeHome home,
      Lakehouse lakehouse,
      RunLedger ledger,
      LinkVault vault,
      ProgressListener progress) {
    this.home = requireNonNull(home, "home is null");
    this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.vault = requireNonNull(vault, "vault is null");
    this.sources = new SourceRegistry(home.sources());
    this.progress = requireNonNull(progress, "progress is null");
  }

  public static IngestService open(MedlakeHome home, ProgressListener progress) {
    byte[] key =
        PseudonymKey.load(
            home.pseudonymKeyFile(), home.environment().get(PseudonymKey.ENVIRONMENT_VARIABLE));
    return open(home, key, progress);
  }

  /**
   * As {@link #open(MedlakeHome, ProgressListener)}, with the vault's key given (a Spark task
   * checks it against the driver's).
   */
  public static IngestService open(
      MedlakeHome home, byte[] pseudonymKey, ProgressListener progress) {
    Lakehouse lakehouse = Lakehouse.open(home);
    try {
      IngestService service =
          new IngestService(
              home, lakehouse, RunLedger.open(home), LinkVault.open(home, pseudonymKey), progress);
      service.failInterrupted();
      return service;
    } catch (RuntimeException e) {
      lakehouse.close();
      throw e;
    }
  }

  /**
   * A file to ingest, with the source and month it was delivered for.
   *
   * @param file the local file, or for an object the name it is downloaded under
   * @param objectLocation the {@code s3://} location of a file in an object-store landing zone
   */
  public record Delivery(
      Path file, String source, YearMonth month, Optional<String> objectLocation) {
    public Delivery {
      requireNonNull(file, "file is null");
      requireNonNull(source, "source is null");
      requireNonNull(month, "month is null");
      requireNonNull(objectLocation, "objectLocation is null");
    }

    public Delivery(Path file, String source, YearMonth month) {
      this(file, source, month, Optional.empty());
    }
  }

  /**
   * Expands local paths and object-store locations ({@code s3://bucket/prefix}) into deliveries, by
   * the same rules as {@link #discover}: {@code <source>/<YYYY-MM>/<file>} below the prefix.
   */
  public List<Delivery> discoverLocations(
      List<String> inputs, Optional<String> source, Optional<YearMonth> month) {
    return deliveries(
        LandingFiles.discover(
            inputs, source, month, prefix -> lakehouse.warehouse().listObjects(prefix)));
  }

  /**
   * Expands files and directories into deliveries. The source is {@code source} when given, else
   * the directory above the month directory ({@code <source>/<YYYY-MM>/file.csv}); the month is
   * {@code month} when given, else the month directory or a {@code YYYY-MM} in the file name.
   */
  public List<Delivery> discover(
      List<Path> paths, Optional<String> source, Optional<YearMonth> month) {
    return deliveries(LandingFiles.discoverFiles(paths, source, month));
  }

  private static List<Delivery> deliveries(List<LandingFiles.Found> found) {
    return found.stream()
        .map(
            delivery ->
                new Delivery(
                    delivery.file(),
                    delivery.source(),
                    delivery.month(),
                    delivery.objectLocation()))
        .toList();
  }

  public List<IngestRun> ingest(List<Delivery> deliveries) {
    List<IngestRun> runs = new ArrayList<>();
    for (Delivery delivery : deliveries) {
      runs.add(ingest(delivery));
    }
    return runs;
  }

  /**
   * Ingests one file; a file that cannot be read fails with a one-line error and stores nothing.
   */
  public IngestRun ingest(Delivery delivery) {
    return ingest(delivery, newRunId());
  }

  /** A fresh run id: time-ordered, with a random suffix. */
  public static String newRunId() {
    return "run-" + RUN_TIME.format(Instant.now()) + "-" + HexFormat.of().formatHex(randomBytes());
  }

  /**
   * Ingests one file as run {@code runId}; when it fails, the FAILED run with its reason is in the
   * ledger under that id. A run that would shrink or wipe stored data ({@link RunHold}) commits
   * nothing and ends {@link RunStatus#HELD}.
   */
  public IngestRun ingest(Delivery delivery, String runId) {
    return ingest(delivery, runId, Optional.empty());
  }

  /**
   * Commits a held run's file as it is, for an admin: the file is ingested again from the run's
   * recorded source file as a new run with the hold check bypassed, provided its SHA-256 is still
   * the held run's. The held run then names the new one in {@code superseded_by}. When the new run
   * fails, it is in the ledger as FAILED under {@code runId}.
   *
   * @param runId the new run's id
   * @param approver who approved, for the run's message (the caller writes the audit record)
   */
  public IngestRun approve(String heldRunId, String runId, String approver) {
    IngestRun held =
        ledger
            .find(heldRunId)
            .orElseThrow(() -> new NotFoundException("No ingestion run '" + heldRunId + "'"));
    if (held.status() != RunStatus.HELD) {
      throw new MedlakeException(
          ErrorCode.RUN_NOT_HELD,
          "Run " + heldRunId + " is not held (it is " + held.status() + ")");
    }
    if (held.supersededBy() != null) {
      throw new MedlakeException(
          ErrorCode.RUN_NOT_HELD,
          "Run " + heldRunId + " is no longer held: superseded by " + held.supersededBy());
    }
    return ingest(deliveryOf(held), runId, Optional.of(new Approval(held, approver)));
  }

  /**
   * The delivery a run ingested, from its recorded source file: an {@code s3://} object, or a file
   * relative to the home (or absolute).
   */
  public Delivery deliveryOf(IngestRun run) {
    YearMonth month = YearMonth.parse(run.month());
    if (org.medlake.core.config.S3Config.isS3(run.sourceFile())) {
      String object = run.sourceFile();
      return new Delivery(
          Path.of(object.substring(object.lastIndexOf('/') + 1)),
          run.sourceId(),
          month,
          Optional.of(object));
    }
    Path file = home.root().resolve(run.sourceFile());
    if (!Files.isRegularFile(file)) {
      throw new NotFoundException("The file of run " + run.id() + " is gone: " + file);
    }
    return new Delivery(file, run.sourceId(), month);
  }

  /** An admin's approval of a held run. */
  private record Approval(IngestRun held, String approver) {}

  private IngestRun ingest(Delivery delivery, String runId, Optional<Approval> approval) {
    return commit(stage(delivery, runId, approval), approval);
  }

  /**
   * The first half of one file's ingestion, which runs wherever the file is processed (this
   * process, or a Spark task): the checksum and scan, the duplicate check, the RUNNING record, the
   * DuckDB pipeline, and the written files published to the warehouse with their Iceberg metrics. A
   * duplicate is recorded here and needs no commit. When it fails, the FAILED run is in the ledger
   * under {@code runId}.
   */
  public StagedRun stage(Delivery delivery, String runId) {
    return stage(delivery, runId, Optional.empty());
  }

  /**
   * The second half: the hold check, the commit (rejects, then results) and the run record, in the
   * process that owns the commits (this one, or the Spark job's driver). A held run's files are
   * deleted and nothing is committed. When it fails, the FAILED run is in the ledger.
   */
  public IngestRun commit(StagedRun staged) {
    return commit(staged, Optional.empty());
  }

  private StagedRun stage(Delivery delivery, String runId, Optional<Approval> approval) {
    SourceMapping mapping = sources.load(delivery.source());
    String mappingSha256 = sources.fingerprint(delivery.source());
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    String sourceFile = sourceFile(delivery);
    Path workDirectory = home.temporary().resolve(runId);
    String name = delivery.file().getFileName().toString();
    PreparedFile prepared = null;
    try {
      Files.createDirectories(workDirectory);
      Path file = delivery.file();
      if (delivery.objectLocation().isPresent()) {
        // the source name (the object's location) is what lineage records, not the downloaded copy
        progress.update(name, "downloading", -1);
        file =
            lakehouse
                .warehouse()
                .download(delivery.objectLocation().get(), workDirectory.resolve("landing"));
      }
      progress.update(name, "scanning", -1);
      FileIngestion.loadDuckDbInBackground();
      prepared =
          new FilePreparer(
                  home.config().ingest(),
                  workDirectory,
                  fraction -> progress.update(name, "scanning", fraction))
              .prepare(file, mapping.csv());
      LOG.debug(
          "ingest phase checksum and scan took {} ms",
          (System.nanoTime() - startNanos) / 1_000_000);
      if (approval.isPresent() && !prepared.sha256().equals(approval.get().held().sha256())) {
        throw new ValidationException(
            "Cannot approve "
                + approval.get().held().id()
                + ": "
                + sourceFile
                + " changed since it was held"
                + " (SHA-256 "
                + prepared.sha256()
                + ", held "
                + approval.get().held().sha256()
                + "); ingest it as a new delivery");
      }
      Optional<IngestRun> duplicate =
          duplicateOf(
              prepared.sha256(), runId, sourceFile, mapping, delivery, started, prepared.bytesIn());
      if (duplicate.isPresent()) {
        return StagedRun.settled(duplicate.get());
      }
      IngestRun running =
          run(
                  runId,
                  sourceFile,
                  mapping,
                  prepared.sha256(),
                  delivery.month(),
                  RunStatus.RUNNING,
                  started,
                  prepared.bytesIn())
              .withMapping(mappingSha256);
      ledger.record(running);
      HeaderLayout header = HeaderLayout.resolve(file, prepared.scan().header(), mapping);
      // a local warehouse: written in place; an object store: written to the work directory and
      // uploaded below
      StagedOutput staged =
          new FileIngestion(home.config().ingest(), vault, home.sources(), progress)
              .run(
                  prepared,
                  header,
                  mapping,
                  delivery.month(),
                  sourceFile,
                  runId,
                  lakehouse.warehouse().stagingDirectory(lakehouse.labResults(), workDirectory),
                  lakehouse.warehouse().stagingDirectory(lakehouse.rejects(), workDirectory),
                  workDirectory);
      progress.update(name, "publishing", -1);
      long publishStart = System.nanoTime();
      LakeCommitter committer = new LakeCommitter(lakehouse);
      List<DataFile> results = committer.publish(lakehouse.labResults(), staged.results());
      List<DataFile> rejects = committer.publish(lakehouse.rejects(), staged.rejects());
      LOG.debug("ingest phase publish took {} ms", (System.nanoTime() - publishStart) / 1_000_000);
      IngestRun candidate =
          new IngestRun(
              runId,
              sourceFile,
              mapping.source(),
              prepared.sha256(),
              mapping.hospitalId(),
              delivery.month().toString(),
              RunStatus.SUCCEEDED,
              started,
              staged.rowsRead(),
              staged.rowsAccepted(),
              staged.rowsRejected(),
              staged.rowsFiltered(),
              staged.rejectedByReason(),
              prepared.bytesIn(),
              0,
              0,
              null,
              "",
              staged.flagged(),
              staged.unmappedCodes(),
              mappingSha256,
              null);
      // an object's delivery.file() is only its name: a report there would land in the working
      // directory; its rejects are in the rejects table (medlake rejects, the API's report)
      String localDelivery =
          delivery.objectLocation().isPresent() ? "" : delivery.file().toString();
      return new StagedRun(candidate, localDelivery, results, rejects, elapsedMillis(startNanos));
    } catch (RuntimeException e) {
      IngestRun failed =
          withMessage(
              run(
                      runId,
                      sourceFile,
                      mapping,
                      prepared == null ? "" : prepared.sha256(),
                      delivery.month(),
                      RunStatus.FAILED,
                      started,
                      prepared == null ? 0 : prepared.bytesIn())
                  .withMapping(mappingSha256),
              String.valueOf(e.getMessage()),
              elapsedMillis(startNanos));
      ledger.record(failed);
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteRecursively(workDirectory);
    }
  }

  /**
   * Records run {@code runId} of {@code delivery} as FAILED with {@code message}, unless its stage
   * half recorded its end already: for a stage that failed before it could record anything (on
   * another machine that could not open the home), died while RUNNING (its process was killed), or
   * never left the queue.
   */
  public IngestRun recordFailure(Delivery delivery, String runId, String message) {
    Optional<IngestRun> recorded = ledger.find(runId);
    if (recorded.isPresent()) {
      if (recorded.get().status() != RunStatus.RUNNING
          && recorded.get().status() != RunStatus.QUEUED) {
        return recorded.get();
      }
      IngestRun failed = withMessage(recorded.get(), message, recorded.get().durationMs());
      ledger.record(failed);
      return failed;
    }
    SourceMapping mapping = sources.load(delivery.source());
    IngestRun failed =
        withMessage(
            run(
                    runId,
                    sourceFile(delivery),
                    mapping,
                    "",
                    delivery.month(),
                    RunStatus.FAILED,
                    Instant.now(),
                    0)
                .withMapping(sources.fingerprint(delivery.source())),
            message,
            0);
    ledger.record(failed);
    return failed;
  }

  /**
   * Records run {@code runId} of {@code delivery} as QUEUED: accepted, waiting for a worker of the
   * ingestion queue. The run's stage replaces it (RUNNING, then its outcome); a job that fails
   * before that calls {@link #recordFailure}.
   */
  public IngestRun queued(Delivery delivery, String runId) {
    SourceMapping mapping = sources.load(delivery.source());
    IngestRun queued =
        run(
                runId,
                sourceFile(delivery),
                mapping,
                "",
                delivery.month(),
                RunStatus.QUEUED,
                Instant.now(),
                0)
            .withMapping(sources.fingerprint(delivery.source()));
    ledger.record(queued);
    return queued;
  }

  /**
   * What a run records as its source file: the object's location, or the file relative to the home
   * (absolute outside it).
   */
  public String sourceFile(Delivery delivery) {
    if (delivery.objectLocation().isPresent()) {
      return delivery.objectLocation().get();
    }
    Path file = delivery.file().toAbsolutePath().normalize();
    String relative = home.root().relativize(file).toString();
    return relative.startsWith("..") ? file.toString() : relative;
  }

  private IngestRun commit(StagedRun staged, Optional<Approval> approval) {
    if (!staged.pending()) {
      return staged.run();
    }
    IngestRun candidate = staged.run().withOutcome(RunStatus.SUCCEEDED, "", staged.stageMillis());
    String name = Path.of(candidate.sourceFile()).getFileName().toString();
    long startNanos = System.nanoTime();
    LakeCommitter committer = new LakeCommitter(lakehouse);
    try {
      Optional<IngestRun> twin =
          ledger.withChecksum(candidate.sha256()).stream()
              .filter(
                  run -> run.status() == RunStatus.SUCCEEDED && !run.id().equals(candidate.id()))
              .findFirst();
      if (twin.isPresent()) {
        // the same file staged twice at once (two Spark tasks): the first commit wins
        committer.discard(staged.results());
        committer.discard(staged.rejects());
        IngestRun duplicate =
            new IngestRun(
                    candidate.id(),
                    candidate.sourceFile(),
                    candidate.sourceId(),
                    candidate.sha256(),
                    candidate.hospitalId(),
                    candidate.month(),
                    RunStatus.DUPLICATE,
                    candidate.startedAt(),
                    0,
                    0,
                    0,
                    0,
                    Map.of(),
                    candidate.bytesIn(),
                    0,
                    0,
                    null,
                    "already ingested by "
                        + twin.get().id()
                        + " (snapshot "
                        + twin.get().snapshotId()
                        + ")")
                .withMapping(candidate.mappingSha256());
        ledger.record(duplicate);
        return duplicate;
      }
      Optional<String> hold =
          approval.isPresent()
              ? Optional.empty()
              : new RunHold(home.config().ingest().hold()).check(ledger, candidate);
      if (hold.isPresent()) {
        return hold(
            staged,
            candidate.withOutcome(
                RunStatus.HELD, hold.get(), staged.stageMillis() + elapsedMillis(startNanos)),
            committer);
      }
      progress.update(name, "committing", -1);
      long commitCpuStart = FileIngestion.processCpuNanos();
      java.util.Set<String> recordedRuns =
          ledger.list().stream()
              .filter(
                  run ->
                      run.status() == RunStatus.SUCCEEDED
                          && run.hospitalId().equals(candidate.hospitalId())
                          && run.month().equals(candidate.month()))
              .map(IngestRun::id)
              .collect(java.util.stream.Collectors.toSet());
      long snapshotId = committer.commit(staged, recordedRuns);
      LOG.debug(
          "ingest phase commit took {} ms, {} ms CPU",
          (System.nanoTime() - startNanos) / 1_000_000,
          (FileIngestion.processCpuNanos() - commitCpuStart) / 1_000_000);
      String message =
          approval
              .map(
                  approved ->
                      "approved by "
                          + approved.approver()
                          + " (held as "
                          + approved.held().id()
                          + ")")
              .orElse("");
      IngestRun done =
          new IngestRun(
              candidate.id(),
              candidate.sourceFile(),
              candidate.sourceId(),
              candidate.sha256(),
              candidate.hospitalId(),
              candidate.month(),
              RunStatus.SUCCEEDED,
              candidate.startedAt(),
              candidate.rowsRead(),
              candidate.rowsAccepted(),
              candidate.rowsRejected(),
              candidate.rowsFiltered(),
              candidate.rejectedByReason(),
              candidate.bytesIn(),
              staged.bytesOut(),
              staged.stageMillis() + elapsedMillis(startNanos),
              snapshotId,
              message,
              candidate.flaggedByReason(),
              candidate.unmappedCodes(),
              candidate.mappingSha256(),
              null);
      ledger.record(done);
      supersedeHolds(done, approval);
      staged.localFile().ifPresent(file -> writeRejectsReport(file, done));
      return done;
    } catch (RuntimeException e) {
      IngestRun failed =
          new IngestRun(
                  candidate.id(),
                  candidate.sourceFile(),
                  candidate.sourceId(),
                  candidate.sha256(),
                  candidate.hospitalId(),
                  candidate.month(),
                  RunStatus.FAILED,
                  candidate.startedAt(),
                  0,
                  0,
                  0,
                  0,
                  Map.of(),
                  candidate.bytesIn(),
                  0,
                  staged.stageMillis() + elapsedMillis(startNanos),
                  null,
                  String.valueOf(e.getMessage()))
              .withMapping(candidate.mappingSha256());
      ledger.record(failed);
      throw e;
    } finally {
      // what rewriting a compacted file for the replacement left behind
      deleteRecursively(home.temporary().resolve(candidate.id()));
    }
  }

  /**
   * Records a held run: its published files are deleted (nothing references them), the tables stay
   * as they were, an earlier open hold of the same file is superseded by this one, and the
   * hospital's feedback (the rejected rows, read from the files before they go) is written next to
   * a local delivery.
   */
  private IngestRun hold(StagedRun staged, IngestRun held, LakeCommitter committer) {
    staged
        .localFile()
        .ifPresent(
            file -> {
              try {
                if (held.rowsRejected() == 0) {
                  RejectsReport.of(held, List.of()).writeNextTo(file);
                } else {
                  // streamed from the files (a held run's rejects can be larger than the heap)
                  List<DataFile> rejects = staged.rejects();
                  try (FileCache.Lease readable =
                      lakehouse
                          .warehouse()
                          .readable(
                              rejects.stream().map(DataFile::location).toList(),
                              rejects.stream().map(DataFile::fileSizeInBytes).toList())) {
                    RejectsReport.ofFiles(held, readable.paths(), home.temporary())
                        .writeNextTo(file);
                  }
                }
              } catch (RuntimeException e) {
                LOG.warn("{}: no rejects report: {}", held.id(), e.getMessage());
              }
            });
    committer.discard(staged.results());
    committer.discard(staged.rejects());
    RunHold.record(ledger, held);
    LOG.warn("{}: {}", held.id(), held.message());
    return held;
  }

  /**
   * Closes the approved hold (naming the approver), then every other open hold the commit settles.
   */
  private void supersedeHolds(IngestRun done, Optional<Approval> approval) {
    approval.ifPresent(
        approved ->
            ledger
                .find(approved.held().id())
                .filter(IngestRun::openHold)
                .ifPresent(
                    held ->
                        ledger.record(
                            held.superseded(
                                done.id(),
                                "approved by "
                                    + approved.approver()
                                    + ": committed as "
                                    + done.id()))));
    RunHold.settle(ledger, done);
  }

  /**
   * Records as FAILED the RUNNING runs of processes on this host that have ended
   * (docs/reliability.md). A run that committed before its process died stays RUNNING: the next run
   * of its file reconciles it from the snapshot summary as SUCCEEDED.
   */
  public List<IngestRun> failInterrupted() {
    return failInterrupted(ledger, lakehouse);
  }

  /**
   * As {@link #failInterrupted()}, for a ledger and lake opened without an ingest service ({@code
   * medlake runs}).
   */
  public static List<IngestRun> failInterrupted(RunLedger ledger, Lakehouse lakehouse) {
    List<IngestRun> failed = new ArrayList<>();
    for (IngestRun run : ledger.interrupted()) {
      boolean committed =
          new LakeCommitter(lakehouse)
              .committedSnapshot(run.sha256())
              .map(snapshot -> run.id().equals(snapshot.summary().get(LakeCommitter.RUN_ID)))
              .orElse(false);
      if (!committed) {
        ledger.record(run);
        failed.add(run);
      }
    }
    return failed;
  }

  /**
   * Reports an already ingested checksum, reconciling a run whose commit happened before a crash.
   */
  private Optional<IngestRun> duplicateOf(
      String sha256,
      String runId,
      String sourceFile,
      SourceMapping mapping,
      Delivery delivery,
      Instant started,
      long bytesIn) {
    List<IngestRun> earlier = ledger.withChecksum(sha256);
    Optional<IngestRun> succeeded =
        earlier.stream().filter(run -> run.status() == RunStatus.SUCCEEDED).findFirst();
    if (succeeded.isEmpty()) {
      Optional<Snapshot> committed = new LakeCommitter(lakehouse).committedSnapshot(sha256);
      if (committed.isPresent()) {
        Map<String, String> summary = committed.get().summary();
        String committedRun = summary.get(LakeCommitter.RUN_ID);
        Instant committedStart =
            earlier.stream()
                .filter(run -> run.id().equals(committedRun))
                .map(IngestRun::startedAt)
                .findFirst()
                .orElse(started);
        IngestRun reconciled =
            new IngestRun(
                committedRun,
                sourceFile,
                mapping.source(),
                sha256,
                mapping.hospitalId(),
                delivery.month().toString(),
                RunStatus.SUCCEEDED,
                committedStart,
                Long.parseLong(summary.get(LakeCommitter.ROWS_READ)),
                Long.parseLong(summary.get(LakeCommitter.ROWS_ACCEPTED)),
                Long.parseLong(summary.get(LakeCommitter.ROWS_REJECTED)),
                Long.parseLong(summary.get(LakeCommitter.ROWS_FILTERED)),
                LakeCommitter.decode(summary.get(LakeCommitter.REASONS)),
                bytesIn,
                0,
                0,
                committed.get().snapshotId(),
                "reconciled after an interrupted run");
        ledger.record(reconciled);
        succeeded = Optional.of(reconciled);
      }
    }
    for (IngestRun stale : earlier) {
      if (stale.status() == RunStatus.RUNNING
          && succeeded.map(run -> !run.id().equals(stale.id())).orElse(true)) {
        ledger.record(
            withMessage(
                stale,
                "interrupted; superseded by " + succeeded.map(IngestRun::id).orElse(runId),
                stale.durationMs()));
      }
    }
    if (succeeded.isEmpty()) {
      return Optional.empty();
    }
    IngestRun original = succeeded.get();
    IngestRun duplicate =
        withMessage(
            run(
                runId,
                sourceFile,
                mapping,
                sha256,
                delivery.month(),
                RunStatus.DUPLICATE,
                started,
                bytesIn),
            "already ingested by " + original.id() + " (snapshot " + original.snapshotId() + ")",
            0);
    ledger.record(duplicate);
    return Optional.of(duplicate);
  }

  /**
   * Feedback next to the delivered file when rows were rejected; a landing zone that cannot be
   * written (a read-only mount) costs the report, not the run.
   */
  private void writeRejectsReport(Path file, IngestRun run) {
    try {
      if (run.rowsRejected() == 0
          && run.unmappedCodes().isEmpty()
          && run.flaggedByReason().isEmpty()) {
        // a report left by an earlier (held) run of this file would no longer be true
        RejectsReport.removeNextTo(file);
        return;
      }
      RejectsReport.load(lakehouse, run).writeNextTo(file);
    } catch (RuntimeException e) {
      LOG.warn("{}: no rejects report: {}", run.id(), e.getMessage());
    }
  }

  /** The home's source mappings. */
  public SourceRegistry sources() {
    return sources;
  }

  public RunLedger ledger() {
    return ledger;
  }

  public Lakehouse lakehouse() {
    return lakehouse;
  }

  private static IngestRun run(
      String id,
      String sourceFile,
      SourceMapping mapping,
      String sha256,
      YearMonth month,
      RunStatus status,
      Instant started,
      long bytesIn) {
    return new IngestRun(
        id,
        sourceFile,
        mapping.source(),
        sha256,
        mapping.hospitalId(),
        month.toString(),
        status,
        started,
        0,
        0,
        0,
        0,
        Map.of(),
        bytesIn,
        0,
        0,
        null,
        "");
  }

  private static IngestRun withMessage(IngestRun run, String message, long durationMs) {
    boolean unfinished = run.status() == RunStatus.RUNNING || run.status() == RunStatus.QUEUED;
    return run.withOutcome(unfinished ? RunStatus.FAILED : run.status(), message, durationMs);
  }

  /**
   * A delivered file: {@code .csv} or {@code .csv.gz}, not hidden, and not a rejects report medlake
   * wrote.
   */
  private static byte[] randomBytes() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // leftovers in tmp/ are harmless
    }
  }

  @Override
  public void close() {
    vault.close();
    ledger.close();
    lakehouse.close();
  }
}
