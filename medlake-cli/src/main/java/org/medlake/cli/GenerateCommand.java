package org.medlake.cli;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.generate.GenerationReport;
import org.medlake.ingest.generate.GeneratorOptions;
import org.medlake.ingest.generate.LabDataGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "generate", description = "Write realistic synthetic lab-result CSVs (and their source mappings into the home's sources/).")
final class GenerateCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--out", required = true, description = "landing directory to write <source>/<YYYY-MM>/<file>.csv into")
  Path out;

  @Option(names = "--hospitals", defaultValue = "3", description = "number of hospitals (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(names = "--months", defaultValue = "2", description = "number of months (default ${DEFAULT-VALUE})")
  int months;

  @Option(names = "--start", defaultValue = "2024-01", description = "first month, YYYY-MM (default ${DEFAULT-VALUE})")
  YearMonth start;

  @Option(names = "--rows-per-file", defaultValue = "10000", description = "data rows per file (default ${DEFAULT-VALUE})")
  int rowsPerFile;

  @Option(names = "--seed", defaultValue = "42", description = "random seed; same arguments give identical bytes (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--dirty-fraction", defaultValue = "0", description = "fraction of rows with one injected defect (default ${DEFAULT-VALUE})")
  double dirtyFraction;

  @Option(names = "--gzip", description = "write .csv.gz")
  boolean gzip;

  @Option(names = "--manifest", description = "write manifest.json with the injected defects per file and kind")
  boolean manifest;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    GenerationReport report = generate(home, out, hospitals, months, start, rowsPerFile, seed, dirtyFraction, gzip, manifest);
    System.out.printf("wrote %d files, %s rows (%s with an injected defect) to %s; source mappings in %s%n",
        report.files().size(), Output.count(report.rows()), Output.count(report.defectiveRows()), out, home.sources());
    if (!report.defects().isEmpty()) {
      Output.table(System.out, List.of("defect", "rows"), report.defects().entrySet().stream()
          .map((Map.Entry<String, Long> entry) -> List.of(entry.getKey(), Output.count(entry.getValue()))).toList());
    }
    return 0;
  }

  static GenerationReport generate(MedlakeHome home, Path out, int hospitals, int months, YearMonth start, int rowsPerFile, long seed,
      double dirtyFraction, boolean gzip, boolean manifest) {
    GeneratorOptions.Builder builder = GeneratorOptions.builder(out, home.sources())
        .hospitals(hospitals).months(months).start(start).rowsPerFile(rowsPerFile).seed(seed).dirtyFraction(dirtyFraction);
    if (gzip) {
      builder.gzip();
    }
    if (manifest) {
      builder.manifest();
    }
    long total = (long) hospitals * months * rowsPerFile;
    StatusLine status = new StatusLine(System.err);
    GenerationReport report = LabDataGenerator.generate(builder.build(), now -> {
      status.update("generate", Output.count(now) + " rows", total == 0 ? -1 : Math.min(1.0, (double) now / total));
    });
    status.done();
    return report;
  }
}
