package org.medlake.cli;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.IngestService.Delivery;
import org.medlake.ingest.pipeline.StatusLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "ingest",
    description = "Ingest delivered CSV files (.csv, .csv.gz) or landing directories.")
final class IngestCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "files or directories laid out as <source>/<YYYY-MM>/<file>, or s3://bucket/prefix (catalog.s3 settings)")
  List<String> paths;

  @Option(
      names = "--source",
      description = "source mapping to use for every file (default: the directory name)")
  String source;

  @Option(
      names = "--month",
      description = "delivery month YYYY-MM for every file (default: the directory name)")
  YearMonth month;

  @Option(names = "--json", description = "print the runs as JSON")
  boolean json;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    StatusLine status = new StatusLine(System.err);
    try (IngestService service = IngestService.open(home, status)) {
      List<Delivery> deliveries =
          service.discoverLocations(paths, Optional.ofNullable(source), Optional.ofNullable(month));
      Ingested ingested = ingestEach(service, deliveries, status);
      List<IngestRun> runs = ingested.runs();
      status.done();
      if (json) {
        Output.json(System.out, runs);
      } else {
        RunsCommand.print(runs);
      }
      reportHeld(runs);
      return Math.max(
          ingested.exitCode(),
          runs.stream()
                  .anyMatch(
                      run -> run.status() == RunStatus.FAILED || run.status() == RunStatus.HELD)
              ? 1
              : 0);
    }
  }

  /**
   * The runs of the deliveries, and the exit code of their errors: 0 when none threw, else the
   * highest of {@link MedlakeCommand#exitCode} over the errors of deliveries that never got a run
   * (a source without a mapping is 2) and 1 for each delivery that threw after its run existed.
   */
  record Ingested(List<IngestRun> runs, int exitCode) {}

  /** One line on stderr per held run: nothing of its file was committed (the exit code is 1). */
  static void reportHeld(List<IngestRun> runs) {
    for (IngestRun run : runs) {
      if (run.status() == RunStatus.HELD) {
        System.err.println("medlake: " + run.sourceFile() + ": " + run.message());
      }
    }
  }

  /** Ingests every delivery; a file that fails is reported and the others still go in. */
  static List<IngestRun> ingestAll(
      IngestService service, List<Delivery> deliveries, StatusLine status) {
    return ingestEach(service, deliveries, status).runs();
  }

  /** {@link #ingestAll}, keeping the exit code of the deliveries that threw. */
  static Ingested ingestEach(IngestService service, List<Delivery> deliveries, StatusLine status) {
    List<IngestRun> runs = new ArrayList<>();
    int exitCode = 0;
    int index = 0;
    for (Delivery delivery : deliveries) {
      index++;
      status.prefix("[" + index + "/" + deliveries.size() + "] ");
      String runId = IngestService.newRunId();
      try {
        runs.add(service.ingest(delivery, runId));
      } catch (RuntimeException e) {
        status.done();
        System.err.println("medlake: error: " + e.getMessage());
        Optional<IngestRun> run = service.ledger().find(runId);
        run.ifPresent(runs::add);
        exitCode = Math.max(exitCode, run.isPresent() ? 1 : MedlakeCommand.exitCode(e));
      }
    }
    return new Ingested(runs, exitCode);
  }
}
