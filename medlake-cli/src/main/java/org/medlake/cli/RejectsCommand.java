package org.medlake.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.NotFoundException;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "rejects",
    description = "Show the rejected rows of an ingestion run, with their reasons.")
final class RejectsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "RUN_ID")
  String runId;

  @Option(
      names = "--limit",
      description = "at most this many rows (default ${DEFAULT-VALUE})",
      defaultValue = "20")
  int limit;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    try (RunLedger ledger = RunLedger.open(home)) {
      ledger
          .find(runId)
          .orElseThrow(
              () -> new NotFoundException("No ingestion run '" + runId + "' (see medlake runs)"));
    }
    List<RejectedRows.Row> rows;
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      rows = RejectedRows.read(lakehouse, runId, limit);
    }
    if (json) {
      Output.json(System.out, rows);
    } else {
      Output.table(
          System.out,
          List.of("line", "reasons", "raw line"),
          rows.stream()
              .map(
                  row ->
                      List.of(
                          String.valueOf(row.lineNumber()),
                          String.join(" ", row.reasonCodes()),
                          abbreviate(row.rawLine())))
              .toList());
    }
    return 0;
  }

  private static String abbreviate(String raw) {
    String shown = raw.replace("\n", "\\n").replace("\r", "\\r");
    return shown.length() > 100 ? shown.substring(0, 97) + "..." : shown;
  }
}
