package org.medlake.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "runs", description = "List ingestion runs.")
final class RunsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (RunLedger ledger = RunLedger.open(parent.openHome())) {
      List<IngestRun> runs = ledger.list();
      if (json) {
        Output.json(System.out, runs);
      } else {
        print(runs);
      }
    }
    return 0;
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
