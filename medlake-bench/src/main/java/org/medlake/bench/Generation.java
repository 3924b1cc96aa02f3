package org.medlake.bench;

import java.nio.file.Path;
import java.time.YearMonth;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.text.TextTable;
import org.medlake.ingest.pipeline.StatusLine;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * Clean synthetic deliveries for the benchmarks and fault trials, with their mappings in the home's
 * sources/, and a progress line.
 */
public final class Generation {
  private Generation() {}

  static GenerationReport generate(
      MedlakeHome home,
      Path out,
      int hospitals,
      int months,
      YearMonth start,
      int rowsPerFile,
      long seed) {
    GeneratorOptions options =
        GeneratorOptions.builder(out, home.sources())
            .hospitals(hospitals)
            .months(months)
            .start(start)
            .rowsPerFile(rowsPerFile)
            .seed(seed)
            .dirtyFraction(0)
            .build();
    return withProgress(options);
  }

  /**
   * Generates {@code options} with a progress line on stderr; also what {@code medlake generate}
   * runs.
   */
  public static GenerationReport withProgress(GeneratorOptions options) {
    long files =
        (long) options.hospitals() * options.months()
            + (options.backfillMonths() > 0 ? 1 : 0)
            + (options.resubmission() ? 1 : 0);
    long total = files * options.rowsPerFile();
    StatusLine status = new StatusLine(System.err);
    GenerationReport report =
        LabDataGenerator.generate(
            options,
            now -> {
              status.update(
                  "generate",
                  TextTable.count(now) + " rows",
                  total == 0 ? -1 : Math.min(1.0, (double) now / total));
            });
    status.done();
    return report;
  }
}
