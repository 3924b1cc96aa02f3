package org.medlake.cli;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunLedger;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "runs", description = "List ingestion runs; warns about hospitals that have not delivered last month.")
final class RunsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Option(names = "--missing", description = "list only the hospitals without a succeeded run for the month (JSON: an array)")
  boolean missingOnly;

  @Option(names = "--month", description = "the month missing deliveries are looked for, YYYY-MM (default: last month, UTC)")
  YearMonth month;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    YearMonth checked = month == null ? YearMonth.now(ZoneOffset.UTC).minusMonths(1) : month;
    try (RunLedger ledger = RunLedger.open(home)) {
      if (missingOnly) {
        printMissing(CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, checked), checked);
        return 0;
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
      Output.table(System.out, List.of("hospital", "source", "month"),
          missing.stream().map(delivery -> List.of(delivery.hospitalId(), delivery.source(), delivery.month())).toList());
    }
  }

  private static void warnMissing(MedlakeHome home, RunLedger ledger, YearMonth checked) {
    List<MissingDelivery> missing;
    try {
      missing = CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, checked);
    } catch (MedlakeException e) {
      System.err.println("medlake: warning: cannot check for missing deliveries: " + e.getMessage());
      return;
    }
    for (MissingDelivery delivery : missing) {
      System.err.println("medlake: warning: hospital " + delivery.hospitalId() + " (source " + delivery.source()
          + ") has not delivered for " + delivery.month());
    }
  }

  static void print(List<IngestRun> runs) {
    List<List<String>> rows = new ArrayList<>();
    long read = 0;
    long accepted = 0;
    long rejected = 0;
    for (IngestRun run : runs) {
      rows.add(List.of(run.id(), run.hospitalId(), run.month(), run.status().name(), Output.count(run.rowsRead()),
          Output.count(run.rowsAccepted()), Output.count(run.rowsRejected()), Output.bytes(run.bytesIn()), Output.bytes(run.bytesOut()),
          run.durationMs() + " ms", topReasons(run), run.message()));
      read += run.rowsRead();
      accepted += run.rowsAccepted();
      rejected += run.rowsRejected();
    }
    if (runs.size() > 1) {
      rows.add(List.of("total", "", "", runs.size() + " runs", Output.count(read), Output.count(accepted), Output.count(rejected),
          "", "", "", "", ""));
    }
    Output.table(System.out, List.of("run", "hospital", "month", "status", "read", "accepted", "rejected", "in", "out", "time",
        "rejects by reason", "message"), rows);
  }

  private static String topReasons(IngestRun run) {
    return run.rejectedByReason().entrySet().stream()
        .sorted((left, right) -> Long.compare(right.getValue(), left.getValue()))
        .limit(3)
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(" ")) + (run.rejectedByReason().size() > 3 ? " ..." : "");
  }
}
