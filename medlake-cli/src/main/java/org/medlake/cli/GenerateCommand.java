package org.medlake.cli;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.bench.Generation;
import org.medlake.core.config.MedlakeHome;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "generate",
    description =
        "Write realistic synthetic lab-result CSVs (and their source mappings into the home's sources/).")
final class GenerateCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(
      names = "--out",
      required = true,
      description = "landing directory to write <source>/<YYYY-MM>/<file>.csv into")
  Path out;

  @Option(
      names = "--hospitals",
      defaultValue = "3",
      description = "number of hospitals (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(
      names = "--months",
      defaultValue = "2",
      description = "number of months (default ${DEFAULT-VALUE})")
  int months;

  @Option(
      names = "--start",
      defaultValue = "2024-01",
      description = "first month, YYYY-MM (default ${DEFAULT-VALUE})")
  YearMonth start;

  @Option(
      names = "--rows-per-file",
      defaultValue = "10000",
      description = "data rows per file (default ${DEFAULT-VALUE})")
  int rowsPerFile;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "random seed; same arguments give identical bytes (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--dirty-fraction",
      defaultValue = "0",
      description = "fraction of rows with one injected defect (default ${DEFAULT-VALUE})")
  double dirtyFraction;

  @Option(names = "--gzip", description = "write .csv.gz")
  boolean gzip;

  @Option(
      names = "--manifest",
      description = "write manifest.json with the injected defects per file and kind")
  boolean manifest;

  @Option(
      names = "--real-world",
      description =
          "also write valid rows of the shapes real exports have: grades, ranges, titers, censored and"
              + " free-text results, unit spellings, flag variants, local codes without LOINC (layout items), glucose and creatinine in SI units"
              + " (layout de)")
  boolean realWorld;

  @Option(
      names = "--backfill-months",
      defaultValue = "0",
      description =
          "also write one file of the first hospital spanning this many"
              + " months before --start, delivered through source <source>-backfill (default ${DEFAULT-VALUE}: none)")
  int backfillMonths;

  @Option(
      names = "--resubmission",
      description =
          "also write a second, broken delivery of the first hospital's first month whose every"
              + " row is rejected")
  boolean resubmission;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    GeneratorOptions.Builder builder =
        builder(
                home,
                out,
                hospitals,
                months,
                start,
                rowsPerFile,
                seed,
                dirtyFraction,
                gzip,
                manifest)
            .backfillMonths(backfillMonths);
    if (realWorld) {
      builder.realWorld();
    }
    if (resubmission) {
      builder.resubmission();
    }
    GenerationReport report = generate(builder.build());
    System.out.printf(
        "wrote %d files, %s rows (%s with an injected defect) to %s; source mappings in %s%n",
        report.files().size(),
        Output.count(report.rows()),
        Output.count(report.defectiveRows()),
        out,
        home.sources());
    printSpecialFiles(report, out);
    if (!report.defects().isEmpty()) {
      Output.table(
          System.out,
          List.of("defect", "rows"),
          report.defects().entrySet().stream()
              .map(
                  (Map.Entry<String, Long> entry) ->
                      List.of(entry.getKey(), Output.count(entry.getValue())))
              .toList());
    }
    if (!report.shapes().isEmpty()) {
      Output.table(
          System.out,
          List.of("real-world shape", "rows"),
          report.shapes().entrySet().stream()
              .map(
                  (Map.Entry<String, Long> entry) ->
                      List.of(entry.getKey(), Output.count(entry.getValue())))
              .toList());
    }
    return 0;
  }

  /** One line for the backfill and one for the resubmission, if written. */
  static void printSpecialFiles(GenerationReport report, Path out) {
    report
        .file(GeneratedFile.Kind.BACKFILL)
        .ifPresent(
            file ->
                System.out.printf(
                    "backfill: %s, %s rows of %s through source %s (collected-at-in-month off), delivered for %s%n",
                    out.relativize(file.path()),
                    Output.count(file.dataRows()),
                    file.hospitalId(),
                    file.source(),
                    file.month()));
    report
        .file(GeneratedFile.Kind.RESUBMISSION)
        .ifPresent(
            file ->
                System.out.printf(
                    "broken resubmission: %s, a second delivery of %s %s whose %s rows all have collection times in the wrong format%n",
                    out.relativize(file.path()),
                    file.hospitalId(),
                    file.month(),
                    Output.count(file.dataRows())));
  }

  static GenerationReport generate(
      MedlakeHome home,
      Path out,
      int hospitals,
      int months,
      YearMonth start,
      int rowsPerFile,
      long seed,
      double dirtyFraction,
      boolean gzip,
      boolean manifest) {
    return generate(
        builder(
                home,
                out,
                hospitals,
                months,
                start,
                rowsPerFile,
                seed,
                dirtyFraction,
                gzip,
                manifest)
            .build());
  }

  static GeneratorOptions.Builder builder(
      MedlakeHome home,
      Path out,
      int hospitals,
      int months,
      YearMonth start,
      int rowsPerFile,
      long seed,
      double dirtyFraction,
      boolean gzip,
      boolean manifest) {
    GeneratorOptions.Builder builder =
        GeneratorOptions.builder(out, home.sources())
            .hospitals(hospitals)
            .months(months)
            .start(start)
            .rowsPerFile(rowsPerFile)
            .seed(seed)
            .dirtyFraction(dirtyFraction);
    if (gzip) {
      builder.gzip();
    }
    if (manifest) {
      builder.manifest();
    }
    return builder;
  }

  /** Generates with a progress line on stderr. */
  static GenerationReport generate(GeneratorOptions options) {
    return Generation.withProgress(options);
  }
}
