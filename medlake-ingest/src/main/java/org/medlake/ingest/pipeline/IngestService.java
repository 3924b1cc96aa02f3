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
import org.apache.iceberg.Snapshot;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.file.LandingFiles;
import org.medlake.core.file.HeaderLayout;
import org.medlake.core.file.PreparedFile;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunHold;
import org.medlake.core.ledger.RunLedger;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.vault.LinkVault;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.lake.Lakehouse;

/**
 * Ingests delivered files: one run and one atomic commit per file. A file whose checksum was
 * committed before adds nothing; a new file for a hospital-month that has data replaces it.
 */
public final class IngestService implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestService.class);
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MedlakeHome home;
  private final Lakehouse lakehouse;
  private final RunLedger ledger;
  private final LinkVault vault;
  private final SourceRegistry sources;
  private final ProgressListener progress;

  private IngestService(MedlakeHome home, Lakehouse lakehouse, RunLedger ledger, LinkVault vault, ProgressListener progress) {
    this.home = requireNonNull(home, "home is null");
    this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.vault = requireNonNull(vault, "vault is null");
    this.sources = new SourceRegistry(home.sources());
    this.progress = requireNonNull(progress, "progress is null");
  }

  public static IngestService open(MedlakeHome home, ProgressListener progress) {
    byte[] key = PseudonymKey.load(home.pseudonymKeyFile(), Optional.ofNullable(System.getenv(PseudonymKey.ENVIRONMENT_VARIABLE)));
    return new IngestService(home, Lakehouse.open(home), RunLedger.open(home), LinkVault.open(home, key), progress);
  }

  /**
   * A file to ingest, with the source and month it was delivered for.
   *
   * @param file the local file, or for an object the name it is downloaded under
   * @param objectLocation the {@code s3://} location of a file in an object-store landing zone
   */
  public record Delivery(Path file, String source, YearMonth month, Optional<String> objectLocation) {
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
   * Expands local paths and object-store locations ({@code s3://bucket/prefix}) into deliveries,
   * by the same rules as {@link #discover}: {@code <source>/<YYYY-MM>/<file>} below the prefix.
   */
  public List<Delivery> discoverLocations(List<String> inputs, Optional<String> source, Optional<YearMonth> month) {
    return deliveries(LandingFiles.discover(inputs, source, month, prefix -> lakehouse.warehouse().listObjects(prefix)));
  }

  /**
   * Expands files and directories into deliveries. The source is {@code source} when given, else
   * the directory above the month directory ({@code <source>/<YYYY-MM>/file.csv}); the month is
   * {@code month} when given, else the month directory or a {@code YYYY-MM} in the file name.
   */
  public List<Delivery> discover(List<Path> paths, Optional<String> source, Optional<YearMonth> month) {
    return deliveries(LandingFiles.discoverFiles(paths, source, month));
  }

  private static List<Delivery> deliveries(List<LandingFiles.Found> found) {
    return found.stream().map(delivery -> new Delivery(delivery.file(), delivery.source(), delivery.month(), delivery.objectLocation()))
        .toList();
  }

  public List<IngestRun> ingest(List<Delivery> deliveries) {
    List<IngestRun> runs = new ArrayList<>();
    for (Delivery delivery : deliveries) {
      runs.add(ingest(delivery));
    }
    return runs;
  }

  /** Ingests one file; a file that cannot be read fails with a one-line error and stores nothing. */
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
    IngestRun held = ledger.find(heldRunId).orElseThrow(() -> new NotFoundException("No ingestion run '" + heldRunId + "'"));
    if (held.status() != RunStatus.HELD) {
      throw new MedlakeException(ErrorCode.RUN_NOT_HELD, "Run " + heldRunId + " is not held (it is " + held.status() + ")");
    }
    if (held.supersededBy() != null) {
      throw new MedlakeException(ErrorCode.RUN_NOT_HELD, "Run " + heldRunId + " is no longer held: superseded by " + held.supersededBy());
    }
    return ingest(deliveryOf(held), runId, Optional.of(new Approval(held, approver)));
  }

  /**
   * The delivery a run ingested, from its recorded source file: an {@code s3://} object, or a
   * file relative to the home (or absolute).
   */
  public Delivery deliveryOf(IngestRun run) {
    YearMonth month = YearMonth.parse(run.month());
    if (org.medlake.core.config.S3Config.isS3(run.sourceFile())) {
      String object = run.sourceFile();
      return new Delivery(Path.of(object.substring(object.lastIndexOf('/') + 1)), run.sourceId(), month, Optional.of(object));
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
    SourceMapping mapping = sources.load(delivery.source());
    String mappingSha256 = sources.fingerprint(delivery.source());
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    String sourceFile = home.root().relativize(delivery.file().toAbsolutePath().normalize()).toString();
    if (sourceFile.startsWith("..")) {
      sourceFile = delivery.file().toAbsolutePath().normalize().toString();
    }
    if (delivery.objectLocation().isPresent()) {
      sourceFile = delivery.objectLocation().get();
    }
    Path workDirectory = home.temporary().resolve(runId);
    String name = delivery.file().getFileName().toString();
    PreparedFile prepared = null;
    IngestRun running = null;
    try {
      Files.createDirectories(workDirectory);
      Path file = delivery.file();
      if (delivery.objectLocation().isPresent()) {
        // the source name (the object's location) is what lineage records, not the downloaded copy
        progress.update(name, "downloading", -1);
        file = lakehouse.warehouse().download(delivery.objectLocation().get(), workDirectory.resolve("landing"));
      }
      progress.update(name, "scanning", -1);
      FileIngestion.loadDuckDbInBackground();
      prepared = new FilePreparer(home.config().ingest(), workDirectory, fraction -> progress.update(name, "scanning", fraction))
          .prepare(file, mapping.csv());
      LOG.debug("ingest phase checksum and scan took {} ms", (System.nanoTime() - startNanos) / 1_000_000);
      if (approval.isPresent() && !prepared.sha256().equals(approval.get().held().sha256())) {
        throw new ValidationException("Cannot approve " + approval.get().held().id() + ": " + sourceFile + " changed since it was held"
            + " (SHA-256 " + prepared.sha256() + ", held " + approval.get().held().sha256() + "); ingest it as a new delivery");
      }
      Optional<IngestRun> duplicate = duplicateOf(prepared.sha256(), runId, sourceFile, mapping, delivery, started, prepared.bytesIn());
      if (duplicate.isPresent()) {
        return duplicate.get();
      }
      running = run(runId, sourceFile, mapping, prepared.sha256(), delivery.month(), RunStatus.RUNNING, started, prepared.bytesIn())
          .withMapping(mappingSha256);
      ledger.record(running);
      HeaderLayout header = HeaderLayout.resolve(file, prepared.scan().header(), mapping);
      // a local warehouse: written in place; an object store: written to the work directory and
      // uploaded by the committer
      StagedOutput staged = new FileIngestion(home.config().ingest(), vault, home.sources(), progress).run(
          prepared, header, mapping, delivery.month(), sourceFile, runId,
          lakehouse.warehouse().stagingDirectory(lakehouse.labResults(), workDirectory),
          lakehouse.warehouse().stagingDirectory(lakehouse.rejects(), workDirectory),
          workDirectory);
      IngestRun candidate = new IngestRun(runId, sourceFile, mapping.source(), prepared.sha256(), mapping.hospitalId(),
          delivery.month().toString(), RunStatus.SUCCEEDED, started, staged.rowsRead(), staged.rowsAccepted(), staged.rowsRejected(),
          staged.rowsFiltered(), staged.rejectedByReason(), prepared.bytesIn(), 0, 0, null, "", staged.flagged(), staged.unmappedCodes(),
          mappingSha256, null);
      Optional<String> hold = approval.isPresent() ? Optional.empty() : new RunHold(home.config().ingest().hold()).check(ledger, candidate);
      if (hold.isPresent()) {
        return hold(delivery, candidate.withOutcome(RunStatus.HELD, hold.get(), elapsedMillis(startNanos)), staged);
      }
      progress.update(name, "committing", -1);
      long commitStart = System.nanoTime();
      long commitCpuStart = FileIngestion.processCpuNanos();
      java.util.Set<String> recordedRuns = ledger.list().stream()
          .filter(run -> run.status() == RunStatus.SUCCEEDED && run.hospitalId().equals(mapping.hospitalId())
              && run.month().equals(delivery.month().toString()))
          .map(IngestRun::id)
          .collect(java.util.stream.Collectors.toSet());
      long snapshotId = new LakeCommitter(lakehouse).commit(staged, mapping.hospitalId(), delivery.month(), runId, prepared.sha256(), recordedRuns);
      LOG.debug("ingest phase commit took {} ms, {} ms CPU", (System.nanoTime() - commitStart) / 1_000_000,
          (FileIngestion.processCpuNanos() - commitCpuStart) / 1_000_000);
      long bytesOut = staged.results().stream().mapToLong(written -> size(written.path())).sum()
          + staged.rejects().stream().mapToLong(written -> size(written.path())).sum();
      String message = approval.map(approved -> "approved by " + approved.approver() + " (held as " + approved.held().id() + ")").orElse("");
      IngestRun done = new IngestRun(runId, sourceFile, mapping.source(), prepared.sha256(), mapping.hospitalId(),
          delivery.month().toString(), RunStatus.SUCCEEDED, started, staged.rowsRead(), staged.rowsAccepted(), staged.rowsRejected(),
          staged.rowsFiltered(), staged.rejectedByReason(), prepared.bytesIn(), bytesOut, elapsedMillis(startNanos), snapshotId, message,
          staged.flagged(), staged.unmappedCodes(), mappingSha256, null);
      ledger.record(done);
      supersedeHolds(done, approval);
      if (delivery.objectLocation().isEmpty()) {
        // an object's delivery.file() is only its name: a report there would land in the working
        // directory; its rejects are in the rejects table (medlake rejects, the API's report)
        writeRejectsReport(delivery.file(), done);
      }
      return done;
    } catch (RuntimeException e) {
      IngestRun failed = withMessage(run(runId, sourceFile, mapping, prepared == null ? "" : prepared.sha256(), delivery.month(),
          RunStatus.FAILED, started, prepared == null ? 0 : prepared.bytesIn()).withMapping(mappingSha256), String.valueOf(e.getMessage()),
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
   * Records a held run: its written files are deleted (nothing references them), the tables stay
   * as they were, an earlier open hold of the same file is superseded by this one, and the
   * hospital's feedback (the rejected rows, read from the files before they go) is written next to
   * a local delivery.
   */
  private IngestRun hold(Delivery delivery, IngestRun held, StagedOutput staged) throws IOException {
    if (delivery.objectLocation().isEmpty()) {
      try {
        List<RejectedRows.Row> rows = held.rowsRejected() == 0 ? List.of()
            : RejectedRows.readFiles(staged.rejects().stream().map(StagedOutput.PartitionFile::path).toList(), held.id(), home.temporary());
        RejectsReport.of(held, rows).writeNextTo(delivery.file());
      } catch (RuntimeException e) {
        LOG.warn("{}: no rejects report: {}", held.id(), e.getMessage());
      }
    }
    for (StagedOutput.PartitionFile written : staged.results()) {
      Files.deleteIfExists(written.path());
    }
    for (StagedOutput.PartitionFile written : staged.rejects()) {
      Files.deleteIfExists(written.path());
    }
    RunHold.record(ledger, held);
    LOG.warn("{}: {}", held.id(), held.message());
    return held;
  }

  /** Closes the approved hold (naming the approver), then every other open hold the commit settles. */
  private void supersedeHolds(IngestRun done, Optional<Approval> approval) {
    approval.ifPresent(approved -> ledger.find(approved.held().id()).filter(IngestRun::openHold).ifPresent(held ->
        ledger.record(held.superseded(done.id(), "approved by " + approved.approver() + ": committed as " + done.id()))));
    RunHold.settle(ledger, done);
  }

  /** Reports an already ingested checksum, reconciling a run whose commit happened before a crash. */
  private Optional<IngestRun> duplicateOf(String sha256, String runId, String sourceFile, SourceMapping mapping, Delivery delivery,
      Instant started, long bytesIn) {
    List<IngestRun> earlier = ledger.withChecksum(sha256);
    Optional<IngestRun> succeeded = earlier.stream().filter(run -> run.status() == RunStatus.SUCCEEDED).findFirst();
    if (succeeded.isEmpty()) {
      Optional<Snapshot> committed = new LakeCommitter(lakehouse).committedSnapshot(sha256);
      if (committed.isPresent()) {
        Map<String, String> summary = committed.get().summary();
        String committedRun = summary.get(LakeCommitter.RUN_ID);
        Instant committedStart = earlier.stream().filter(run -> run.id().equals(committedRun)).map(IngestRun::startedAt).findFirst().orElse(started);
        IngestRun reconciled = new IngestRun(committedRun, sourceFile, mapping.source(), sha256, mapping.hospitalId(),
            delivery.month().toString(), RunStatus.SUCCEEDED, committedStart, Long.parseLong(summary.get(LakeCommitter.ROWS_READ)),
            Long.parseLong(summary.get(LakeCommitter.ROWS_ACCEPTED)), Long.parseLong(summary.get(LakeCommitter.ROWS_REJECTED)),
            Long.parseLong(summary.get(LakeCommitter.ROWS_FILTERED)), LakeCommitter.decode(summary.get(LakeCommitter.REASONS)),
            bytesIn, 0, 0, committed.get().snapshotId(), "reconciled after an interrupted run");
        ledger.record(reconciled);
        succeeded = Optional.of(reconciled);
      }
    }
    for (IngestRun stale : earlier) {
      if (stale.status() == RunStatus.RUNNING && succeeded.map(run -> !run.id().equals(stale.id())).orElse(true)) {
        ledger.record(withMessage(stale, "interrupted; superseded by " + succeeded.map(IngestRun::id).orElse(runId), stale.durationMs()));
      }
    }
    if (succeeded.isEmpty()) {
      return Optional.empty();
    }
    IngestRun original = succeeded.get();
    IngestRun duplicate = withMessage(
        run(runId, sourceFile, mapping, sha256, delivery.month(), RunStatus.DUPLICATE, started, bytesIn),
        "already ingested by " + original.id() + " (snapshot " + original.snapshotId() + ")", 0);
    ledger.record(duplicate);
    return Optional.of(duplicate);
  }

  /**
   * Feedback next to the delivered file when rows were rejected; a landing zone that cannot be
   * written (a read-only mount) costs the report, not the run.
   */
  private void writeRejectsReport(Path file, IngestRun run) {
    try {
      if (run.rowsRejected() == 0 && run.unmappedCodes().isEmpty() && run.flaggedByReason().isEmpty()) {
        // a report left by an earlier (held) run of this file would no longer be true
        RejectsReport.removeNextTo(file);
        return;
      }
      RejectsReport.load(lakehouse, run).writeNextTo(file);
    } catch (RuntimeException e) {
      LOG.warn("{}: no rejects report: {}", run.id(), e.getMessage());
    }
  }

  public RunLedger ledger() {
    return ledger;
  }

  public Lakehouse lakehouse() {
    return lakehouse;
  }

  private static IngestRun run(String id, String sourceFile, SourceMapping mapping, String sha256, YearMonth month, RunStatus status,
      Instant started, long bytesIn) {
    return new IngestRun(id, sourceFile, mapping.source(), sha256, mapping.hospitalId(), month.toString(), status, started,
        0, 0, 0, 0, Map.of(), bytesIn, 0, 0, null, "");
  }

  private static IngestRun withMessage(IngestRun run, String message, long durationMs) {
    return run.withOutcome(run.status() == RunStatus.RUNNING ? RunStatus.FAILED : run.status(), message, durationMs);
  }

  /** A delivered file: {@code .csv} or {@code .csv.gz}, not hidden, and not a rejects report medlake wrote. */
  private static byte[] randomBytes() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
