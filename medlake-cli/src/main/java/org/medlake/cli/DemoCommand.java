package org.medlake.cli;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.generate.GenerationReport;
import org.medlake.ingest.ledger.IngestRun;
import org.medlake.ingest.pipeline.IngestService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "demo", description = "Generate a realistic landing zone, ingest it, and show what is in the lake.")
final class DemoCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--hospitals", defaultValue = "5", description = "hospitals (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(names = "--months", defaultValue = "12", description = "months (default ${DEFAULT-VALUE})")
  int months;

  @Option(names = "--rows-per-file", defaultValue = "20000", description = "rows per monthly file (default ${DEFAULT-VALUE})")
  int rowsPerFile;

  @Option(names = "--dirty-fraction", defaultValue = "0.02", description = "fraction of defective rows (default ${DEFAULT-VALUE})")
  double dirtyFraction;

  @Override
  public Integer call() throws Exception {
    MedlakeHome home = parent.openHome();
    System.out.printf("medlake demo in %s%n", home.root());
    Path landing = home.landing();
    GenerationReport report = GenerateCommand.generate(home, landing, hospitals, months, YearMonth.of(2024, 1), rowsPerFile, 42,
        dirtyFraction, false, false);
    System.out.printf("generated %d monthly files from %d hospitals, %s rows, %s with an injected defect%n",
        report.files().size(), hospitals, Output.count(report.rows()), Output.count(report.defectiveRows()));
    StatusLine status = new StatusLine(System.err);
    try (IngestService service = IngestService.open(home, status)) {
      List<IngestRun> runs = IngestCommand.ingestAll(service, service.discover(List.of(landing), Optional.empty(), Optional.empty()), status);
      status.done();
      System.out.println();
      RunsCommand.print(runs);
      LakeReport.print(home, service.lakehouse());
    }
    System.out.println();
    System.out.println("Next: ./medlake tables | ./medlake runs | ./medlake rejects RUN_ID   (home: " + home.root() + ")");
    return 0;
  }
}
