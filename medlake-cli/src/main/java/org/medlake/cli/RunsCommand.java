package org.medlake.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorType;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.StatusLine;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.RunLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "runs",
    description = "List ingestion runs; warns about hospitals that have not delivered last month.",
    subcommands = RunsCommand.Approve.class)
final class RunsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Option(
      names = "--missing",
      description =
          "list only the hospitals without a succeeded run for the month (JSON: an array)")
  boolean missingOnly;

  @Option(
      names = "--month",
      description =
          "the month missing deliveries are looked for, YYYY-MM (default: last month, UTC, or schedules.completeness-month)")
  YearMonth month;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    YearMonth checked =
        month == null ? home.config().schedules().expectedMonth(Clock.systemUTC()) : month;
    try (RunLedger ledger = RunLedger.open(home)) {
      if (missingOnly) {
        printMissing(
            CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, checked),
            checked);
        return 0;
      }
      if (!ledger.interrupted().isEmpty()) {
        // runs of ended processes on this host are shown FAILED, not RUNNING (the lake tells
        // whether one committed first)
        try (Lakehouse lake = Lakehouse.open(home)) {
          IngestService.failInterrupted(ledger, lake);
        }
      }
      List<IngestRun> runs = ledger.list();
      if (json) {
        Output.json(System.out, runs);
      } else {
        print(runs);
      }
      // on stderr: the listing (a JSON array with --json) stays what scripts read
      warnMissing(home, ledger, checked);
    }
    return 0;
  }

  private void printMissing(List<MissingDelivery> missing, YearMonth checked) {
    if (json) {
      Output.json(System.out, missing);
    } else if (missing.isEmpty()) {
      System.out.println("Every hospital delivered for " + checked + ".");
    } else {
      Output.table(
          System.out,
          List.of("hospital", "source", "month"),
          missing.stream()
              .map(delivery -> List.of(delivery.hospitalId(), delivery.source(), delivery.month()))
              .toList());
    }
  }

  private static void warnMissing(MedlakeHome home, RunLedger ledger, YearMonth checked) {
    List<MissingDelivery> missing;
    try {
      missing = CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, checked);
    } catch (MedlakeException e) {
      System.err.println(
          "medlake: warning: cannot check for missing deliveries: " + e.getMessage());
      return;
    }
    for (MissingDelivery delivery : missing) {
      System.err.println(
          "medlake: warning: hospital "
              + delivery.hospitalId()
              + " (source "
              + delivery.source()
              + ") has not delivered for "
              + delivery.month());
    }
  }

  static void print(List<IngestRun> runs) {
    List<List<String>> rows = new ArrayList<>();
    long read = 0;
    long accepted = 0;
    long rejected = 0;
    for (IngestRun run : runs) {
      rows.add(
          List.of(
              run.id(),
              run.hospitalId(),
              run.month(),
              run.status().name(),
              Output.count(run.rowsRead()),
              Output.count(run.rowsAccepted()),
              Output.count(run.rowsRejected()),
              Output.bytes(run.bytesIn()),
              Output.bytes(run.bytesOut()),
              run.durationMs() + " ms",
              top(run.rejectedByReason()),
              top(run.flaggedByReason()),
              top(run.unmappedCodes()),
              run.message()));
      read += run.rowsRead();
      accepted += run.rowsAccepted();
      rejected += run.rowsRejected();
    }
    if (runs.size() > 1) {
      rows.add(
          List.of(
              "total",
              "",
              "",
              runs.size() + " runs",
              Output.count(read),
              Output.count(accepted),
              Output.count(rejected),
              "",
              "",
              "",
              "",
              "",
              "",
              ""));
    }
    Output.table(
        System.out,
        List.of(
            "run",
            "hospital",
            "month",
            "status",
            "read",
            "accepted",
            "rejected",
            "in",
            "out",
            "time",
            "rejects by reason",
            "flagged",
            "unmapped codes",
            "message"),
        rows);
  }

  /** The three largest counts, {@code KEY=count} ({@code ...} when there are more). */
  private static String top(Map<String, Long> counts) {
    return counts.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(3)
            .map(entry -> entry.getKey() + "=" + entry.getValue())
            .collect(Collectors.joining(" "))
        + (counts.size() > 3 ? " ..." : "");
  }

  @Command(
      name = "approve",
      description =
          "Commit a held run's file as it is (admin action, audited): the file is ingested again from"
              + " the run's recorded source file, with the hold check bypassed, if its SHA-256 is unchanged.")
  static final class Approve implements Callable<Integer> {
    @ParentCommand RunsCommand runs;

    @Parameters(paramLabel = "RUN_ID", description = "the held run")
    String runId;

    @Option(names = "--json", description = "print the new run as JSON")
    boolean json;

    @Override
    public Integer call() {
      MedlakeHome home = runs.parent.openHome();
      // the platform database's audit log, as the server writes it; the actor is the
      // operating-system account
      String actor = "cli:" + System.getProperty("user.name", "unknown");
      StatusLine status = new StatusLine(System.err);
      try (PlatformDatabase platform = PlatformDatabase.open(home);
          AuditLog audit = platform.audit();
          IngestService service = IngestService.open(home, status)) {
        AuditEvent.Builder event =
            AuditEvent.builder()
                .at(Instant.now())
                .actor(actor)
                .action(AuditAction.ADMIN)
                .target(shortened("approve run " + runId))
                .detail("held_run_id", runId)
                .detail("via", "cli");
        IngestRun run;
        try {
          run = service.approve(runId, IngestService.newRunId(), actor);
        } catch (RuntimeException e) {
          boolean refused =
              e instanceof MedlakeException medlake && medlake.errorCode().type() == ErrorType.USER;
          audit.record(
              event
                  .outcome(refused ? AuditOutcome.REFUSED : AuditOutcome.FAILED)
                  .detail(
                      "error",
                      shortened(String.valueOf(e.getMessage()).lines().findFirst().orElse("")))
                  .build());
          throw e;
        } finally {
          status.done();
        }
        event
            .detail("run_id", run.id())
            .detail("status", run.status().name())
            .detail("rows_accepted", run.rowsAccepted());
        run.snapshot().ifPresent(snapshot -> event.detail("snapshot_id", snapshot));
        audit.record(
            event
                .outcome(
                    run.status() == RunStatus.SUCCEEDED ? AuditOutcome.OK : AuditOutcome.FAILED)
                .build());
        if (json) {
          Output.json(System.out, run);
        } else {
          print(List.of(run));
        }
        return run.status() == RunStatus.SUCCEEDED ? 0 : 1;
      }
    }

    /** Audit targets and strings hold at most 200 characters. */
    private static String shortened(String text) {
      return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }
  }
}
