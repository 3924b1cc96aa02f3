package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.zip.GZIPOutputStream;
import org.medlake.core.contract.RejectReason;
import org.medlake.testkit.generate.GeneratedFile.Kind;

/** Writes the lab files of one hospital: monthly files, a backfill and a broken resubmission. */
final class LabFileWriter {
  static final int PROGRESS_INTERVAL = 10_000;

  private static final int BUFFER_SIZE = 1 << 16;
  private static final double VITAL_SIGN_SHARE = 0.05;
  private static final double QUOTED_NAME_SHARE = 0.01;
  private static final int RECENT_CLEAN_ROWS = 64;
  private static final int SHAPES_STREAM = 7;

  private final Hospital hospital;
  private final LabPanels panels;
  private final LabTestCatalog catalog;
  private final PatientPool patients;
  private final GeneratorOptions options;

  LabFileWriter(
      Hospital hospital,
      LabPanels panels,
      LabTestCatalog catalog,
      PatientPool patients,
      GeneratorOptions options) {
    this.hospital = requireNonNull(hospital, "hospital is null");
    this.panels = requireNonNull(panels, "panels is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.patients = requireNonNull(patients, "patients is null");
    this.options = requireNonNull(options, "options is null");
  }

  /**
   * The hospital's file of one month, with the options' share of defective rows.
   *
   * @param rowsWritten receives the number of rows written since its previous call
   */
  GeneratedFile write(YearMonth month, Path file, long fileSeed, LongConsumer rowsWritten)
      throws IOException {
    SplittableRandom random = new SplittableRandom(fileSeed);
    EncounterGenerator encounters =
        new EncounterGenerator(panels, patients, month, hospital.timeZone(), random);
    long rows = options.rowsPerFile();
    DefectInjector defects =
        new DefectInjector(
            hospital.layout(), month, encounters, rows, options.dirtyFraction(), random);
    return writeFile(
        new Target(file, hospital.source(), month, Kind.MONTHLY),
        List.of(new Segment(month, rows, encounters)),
        defects,
        false,
        random,
        fileSeed,
        rowsWritten);
  }

  /**
   * A second delivery of the month, re-exported by a system that writes collection times month
   * first ({@code 01/15/2024 08:30:00}): every row is {@code INVALID_COLLECTED_AT} and nothing
   * else.
   */
  GeneratedFile writeResubmission(
      YearMonth month, Path file, long fileSeed, LongConsumer rowsWritten) throws IOException {
    SplittableRandom random = new SplittableRandom(fileSeed);
    EncounterGenerator encounters =
        new EncounterGenerator(panels, patients, month, hospital.timeZone(), random);
    return writeFile(
        new Target(file, hospital.source(), month, Kind.RESUBMISSION),
        List.of(new Segment(month, options.rowsPerFile(), encounters)),
        null,
        true,
        random,
        fileSeed,
        rowsWritten);
  }

  /**
   * One file with {@code rowsPerFile} rows without defects, spread evenly over the {@code months}
   * months that end with {@code deliveryMonth}, oldest first, delivered for {@code deliveryMonth}
   * through {@code source}. Each year has its own patients, born before it.
   */
  GeneratedFile writeBackfill(
      String source,
      YearMonth deliveryMonth,
      int months,
      Path file,
      long fileSeed,
      IntFunction<PatientPool> patientsOfYear,
      LongConsumer rowsWritten)
      throws IOException {
    SplittableRandom random = new SplittableRandom(fileSeed);
    YearMonth first = deliveryMonth.minusMonths(months - 1L);
    long rows = options.rowsPerFile();
    Map<Integer, PatientPool> pools = new TreeMap<>();
    List<Segment> segments = new ArrayList<>();
    for (int index = 0; index < months; index++) {
      long segmentRows = (index + 1) * rows / months - index * rows / months;
      if (segmentRows == 0) {
        continue;
      }
      YearMonth month = first.plusMonths(index);
      PatientPool pool = pools.computeIfAbsent(month.getYear(), patientsOfYear::apply);
      segments.add(
          new Segment(
              month,
              segmentRows,
              new EncounterGenerator(panels, pool, month, hospital.timeZone(), random)));
    }
    return writeFile(
        new Target(file, source, deliveryMonth, Kind.BACKFILL),
        segments,
        null,
        false,
        random,
        fileSeed,
        rowsWritten);
  }

  /**
   * @param defects the defective rows, or null for none
   * @param brokenCollectionTimes write every lab row's collection time in a format the mapping does
   *     not read
   */
  private GeneratedFile writeFile(
      Target target,
      List<Segment> segments,
      DefectInjector defects,
      boolean brokenCollectionTimes,
      SplittableRandom random,
      long fileSeed,
      LongConsumer rowsWritten)
      throws IOException {
    Layout layout = hospital.layout();
    RealWorldShapes shapes =
        options.realWorld()
            ? new RealWorldShapes(
                layout,
                catalog,
                new SplittableRandom(LabDataGenerator.streamSeed(fileSeed, 0, SHAPES_STREAM)))
            : null;
    boolean mixesVitalSigns = layout.index(Layout.Role.CATEGORY) >= 0;
    CsvLineEncoder encoder = new CsvLineEncoder(layout.delimiter(), layout.lineSeparator());
    byte[][] recentCleanRows = new byte[RECENT_CLEAN_ROWS][];
    int cleanRowCount = 0;
    Map<RejectReason, Long> defectCounts = new EnumMap<>(RejectReason.class);
    Map<String, Long> shapeCounts = new TreeMap<>();
    long[] defectiveLines = new long[16];
    int defectiveLineCount = 0;
    String[] fields = new String[layout.columns().size()];
    long rows = 0;
    long line = 1;

    Files.createDirectories(target.path().getParent());
    try (OutputStream output = open(target.path())) {
      encoder.encode(layout.header().toArray(String[]::new)).writeTo(output);
      long unreported = 0;
      for (Segment segment : segments) {
        YearMonth month = segment.month();
        EncounterGenerator encounters = segment.encounters();
        for (long row = 0; row < segment.rows(); row++) {
          line++;
          boolean defective = defects != null && defects.nextRowIsDefective();
          if (!defective && mixesVitalSigns && random.nextDouble() < VITAL_SIGN_SHARE) {
            // filtered out by the mapping: never a defect
            layout.format(encounters.nextVitalSign(), month, fields);
            encoder.encode(fields).writeTo(output);
          } else if (!defective && shapes != null && shapes.nextRowIsShaped()) {
            RealWorldShapes.Shaped shaped = shapes.write(encounters, month, fields);
            defective = brokenCollectionTimes && breakCollectionTime(fields, shaped.result());
            encoder.encode(fields).writeTo(output);
            shapeCounts.merge(shaped.kind().name(), 1L, Long::sum);
          } else if (!defective) {
            LabResult result = encounters.nextResult();
            if (random.nextDouble() < QUOTED_NAME_SHARE) {
              result = result.withDelimiterInName();
            }
            layout.format(result, month, fields);
            defective = brokenCollectionTimes && breakCollectionTime(fields, result);
            encoder.encode(fields).writeTo(output);
            recentCleanRows[cleanRowCount++ % RECENT_CLEAN_ROWS] = encoder.toByteArray();
            if (layout.localUnit(result.test()).isPresent()) {
              shapeCounts.merge(RealWorldShapes.CONVERTED_UNIT, 1L, Long::sum);
            }
          } else {
            LabResult result = encounters.nextResult();
            RejectReason kind = defects.chooseKind(result, cleanRowCount > 0);
            if (kind == RejectReason.DUPLICATE_ROW) {
              int available = Math.min(cleanRowCount, RECENT_CLEAN_ROWS);
              output.write(recentCleanRows[random.nextInt(available)]);
            } else {
              DefectInjector.BrokenRow broken = defects.breakRow(kind, result);
              encoder
                  .encode(broken.fields(), broken.badlyQuotedField(), broken.textAfterQuote())
                  .writeTo(output);
            }
            defectCounts.merge(kind, 1L, Long::sum);
          }
          if (defective) {
            if (defectiveLineCount == defectiveLines.length) {
              defectiveLines = Arrays.copyOf(defectiveLines, defectiveLineCount * 2);
            }
            defectiveLines[defectiveLineCount++] = line;
          }
          rows++;
          if (++unreported == PROGRESS_INTERVAL) {
            rowsWritten.accept(unreported);
            unreported = 0;
          }
        }
      }
      if (unreported > 0) {
        rowsWritten.accept(unreported);
      }
    }
    if (brokenCollectionTimes && defectiveLineCount > 0) {
      defectCounts.put(RejectReason.INVALID_COLLECTED_AT, (long) defectiveLineCount);
    }
    Map<String, Long> defectsByReason = new TreeMap<>();
    defectCounts.forEach((reason, count) -> defectsByReason.put(reason.name(), count));
    return new GeneratedFile(
        target.path(),
        hospital.hospitalId(),
        target.source(),
        target.month(),
        target.kind(),
        rows,
        defectsByReason,
        shapeCounts,
        LineNumbers.ofAscending(defectiveLines, defectiveLineCount));
  }

  /** Writes the collection time month first; true, the row is now defective. */
  private boolean breakCollectionTime(String[] fields, LabResult result) {
    fields[hospital.layout().index(Layout.Role.COLLECTED_AT)] =
        TextFormat.usTimestamp(result.collectedAt());
    return true;
  }

  /** GZIPOutputStream writes a zero modification time, so compressed bytes are reproducible. */
  private OutputStream open(Path file) throws IOException {
    OutputStream output = Files.newOutputStream(file);
    if (options.gzip()) {
      return new BufferedOutputStream(new GZIPOutputStream(output, BUFFER_SIZE), BUFFER_SIZE);
    }
    return new BufferedOutputStream(output, BUFFER_SIZE);
  }

  private record Target(Path path, String source, YearMonth month, Kind kind) {}

  /** Rows of one month, drawn by that month's encounters. */
  private record Segment(YearMonth month, long rows, EncounterGenerator encounters) {}
}
