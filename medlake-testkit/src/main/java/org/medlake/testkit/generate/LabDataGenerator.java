package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Generates synthetic monthly lab-result files of several hospitals, each in its own layout, with
 * the source mappings that read them and, on request, a chosen share of defective rows, rows of
 * real-world shape, a backfill of many months and a broken resubmission (both of the first
 * hospital).
 */
public final class LabDataGenerator {
  /** The suffix of the backfill's source: {@code h001-backfill}. */
  public static final String BACKFILL_SOURCE_SUFFIX = "-backfill";

  private static final String GZIP_SUFFIX = ".gz";
  private static final String CSV_SUFFIX = ".csv";
  // streams of the first hospital besides its pool (0) and its months (1 to 1200)
  private static final int RESUBMISSION_STREAM = 90_000;
  private static final int BACKFILL_STREAM = 90_001;
  private static final int BACKFILL_PATIENTS_STREAM = 50_000;

  private LabDataGenerator() {}

  /**
   * Writes the files, the source mappings and, if asked for, the manifest.
   *
   * @param rowsWrittenProgress receives the number of data rows written so far over all files,
   *     every 10,000 rows and at the end of each file
   */
  public static GenerationReport generate(
      GeneratorOptions options, LongConsumer rowsWrittenProgress) {
    requireNonNull(options, "options is null");
    requireNonNull(rowsWrittenProgress, "rowsWrittenProgress is null");
    LabTestCatalog catalog = LabTestCatalog.load();
    LabPanels panels = LabPanels.create(catalog);
    long[] rowsWritten = {0};
    LongConsumer progress =
        rows -> {
          rowsWritten[0] += rows;
          rowsWrittenProgress.accept(rowsWritten[0]);
        };

    List<GeneratedFile> files = new ArrayList<>();
    List<GeneratedFile> specialFiles = new ArrayList<>();
    for (int index = 0; index < options.hospitals(); index++) {
      Hospital hospital = Hospital.create(index, catalog, options.realWorld());
      Path mapping = options.sourcesDir().resolve(hospital.source() + ".yaml");
      try {
        SourceMappingWriter.write(hospital, options.sourcesDir());
      } catch (IOException e) {
        throw cannotWrite(mapping, e);
      }
      // the pool depends only on the seed and the hospital, so patients recur across months
      PatientPool patients =
          PatientPool.create(
              PatientPool.sizeFor(options.rowsPerFile()),
              options.start().getYear(),
              new SplittableRandom(streamSeed(options.seed(), index, 0)));
      LabFileWriter writer = new LabFileWriter(hospital, panels, catalog, patients, options);
      for (int monthIndex = 0; monthIndex < options.months(); monthIndex++) {
        YearMonth month = options.start().plusMonths(monthIndex);
        Path file = filePath(options, hospital, month);
        try {
          files.add(
              writer.write(
                  month, file, streamSeed(options.seed(), index, monthIndex + 1), progress));
        } catch (IOException e) {
          throw cannotWrite(file, e);
        }
      }
      if (index == 0 && options.backfillMonths() > 0) {
        specialFiles.add(backfill(options, hospital, writer, progress));
      }
      if (index == 0 && options.resubmission()) {
        Path file = resubmissionPath(options, hospital);
        try {
          specialFiles.add(
              writer.writeResubmission(
                  options.start(),
                  file,
                  streamSeed(options.seed(), index, RESUBMISSION_STREAM),
                  progress));
        } catch (IOException e) {
          throw cannotWrite(file, e);
        }
      }
    }
    files.addAll(specialFiles);
    GenerationReport report = GenerationReport.summarize(files);
    if (options.manifest()) {
      try {
        Files.createDirectories(options.outDir());
        ManifestWriter.write(options, report);
      } catch (IOException e) {
        throw cannotWrite(options.outDir().resolve(ManifestWriter.FILE_NAME), e);
      }
    }
    return report;
  }

  static Path filePath(GeneratorOptions options, Hospital hospital, YearMonth month) {
    String name = hospital.layout().fileName(month) + (options.gzip() ? GZIP_SUFFIX : "");
    return options.outDir().resolve(hospital.source()).resolve(month.toString()).resolve(name);
  }

  /**
   * Next to the first delivery, {@code lab_results_2024-01_resubmitted.csv}, so that a directory
   * ingested in path order takes it second.
   */
  static Path resubmissionPath(GeneratorOptions options, Hospital hospital) {
    Path first = filePath(options, hospital, options.start());
    String name = first.getFileName().toString();
    int suffix = name.lastIndexOf(CSV_SUFFIX);
    return first.resolveSibling(
        name.substring(0, suffix) + "_resubmitted" + name.substring(suffix));
  }

  /**
   * The months before the start in one file of source {@code <source>-backfill}, delivered for the
   * month before the start, with a mapping that does not check the collection month.
   */
  private static GeneratedFile backfill(
      GeneratorOptions options, Hospital hospital, LabFileWriter writer, LongConsumer progress) {
    Hospital backfill = hospital.withSource(hospital.source() + BACKFILL_SOURCE_SUFFIX);
    try {
      SourceMappingWriter.writeBackfill(backfill, options.sourcesDir());
    } catch (IOException e) {
      throw cannotWrite(options.sourcesDir().resolve(backfill.source() + ".yaml"), e);
    }
    YearMonth deliveryMonth = options.start().minusMonths(1);
    YearMonth first = deliveryMonth.minusMonths(options.backfillMonths() - 1L);
    String name =
        "lab_results_backfill_"
            + first
            + "_"
            + deliveryMonth
            + CSV_SUFFIX
            + (options.gzip() ? GZIP_SUFFIX : "");
    Path file =
        options.outDir().resolve(backfill.source()).resolve(deliveryMonth.toString()).resolve(name);
    int rowsPerYear =
        (int) Math.min(Integer.MAX_VALUE, options.rowsPerFile() * 12L / options.backfillMonths());
    int size = PatientPool.sizeFor(rowsPerYear);
    try {
      return writer.writeBackfill(
          backfill.source(),
          deliveryMonth,
          options.backfillMonths(),
          file,
          streamSeed(options.seed(), hospital.index(), BACKFILL_STREAM),
          year ->
              PatientPool.create(
                  size,
                  year,
                  new SplittableRandom(
                      streamSeed(
                          options.seed(), hospital.index(), BACKFILL_PATIENTS_STREAM + year))),
          progress);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /**
   * An independent seed for each hospital and stream, mixed like SplittableRandom mixes its own
   * seeds, so that neighbouring seeds and indexes do not give correlated data.
   */
  static long streamSeed(long seed, int hospitalIndex, int stream) {
    long mixed = seed + 0x9E3779B97F4A7C15L * (hospitalIndex * 100_003L + stream + 1);
    mixed = (mixed ^ (mixed >>> 30)) * 0xBF58476D1CE4E5B9L;
    mixed = (mixed ^ (mixed >>> 27)) * 0x94D049BB133111EBL;
    return mixed ^ (mixed >>> 31);
  }

  private static MedlakeException cannotWrite(Path path, IOException cause) {
    return new MedlakeException(
        ErrorCode.STORAGE_ERROR, "Cannot write " + path + ": " + cause.getMessage(), cause);
  }
}
