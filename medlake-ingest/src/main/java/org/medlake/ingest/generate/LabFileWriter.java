package org.medlake.ingest.generate;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.zip.GZIPOutputStream;
import org.medlake.core.contract.RejectReason;

/** Writes the lab file of one hospital month. */
final class LabFileWriter {
  static final int PROGRESS_INTERVAL = 10_000;

  private static final int BUFFER_SIZE = 1 << 16;
  private static final double VITAL_SIGN_SHARE = 0.05;
  private static final double QUOTED_NAME_SHARE = 0.01;
  private static final int RECENT_CLEAN_ROWS = 64;

  private final Hospital hospital;
  private final LabPanels panels;
  private final PatientPool patients;
  private final GeneratorOptions options;

  LabFileWriter(
      Hospital hospital, LabPanels panels, PatientPool patients, GeneratorOptions options) {
    this.hospital = requireNonNull(hospital, "hospital is null");
    this.panels = requireNonNull(panels, "panels is null");
    this.patients = requireNonNull(patients, "patients is null");
    this.options = requireNonNull(options, "options is null");
  }

  /**
   * @param rowsWritten receives the number of rows written since its previous call
   */
  GeneratedFile write(YearMonth month, Path file, long fileSeed, LongConsumer rowsWritten)
      throws IOException {
    Layout layout = hospital.layout();
    SplittableRandom random = new SplittableRandom(fileSeed);
    EncounterGenerator encounters =
        new EncounterGenerator(panels, patients, month, hospital.timeZone(), random);
    long rows = options.rowsPerFile();
    DefectInjector defects =
        new DefectInjector(layout, month, encounters, rows, options.dirtyFraction(), random);
    boolean mixesVitalSigns = layout.index(Layout.Role.CATEGORY) >= 0;
    CsvLineEncoder encoder = new CsvLineEncoder(layout.delimiter(), layout.lineSeparator());
    byte[][] recentCleanRows = new byte[RECENT_CLEAN_ROWS][];
    int cleanRowCount = 0;
    Map<RejectReason, Long> defectCounts = new EnumMap<>(RejectReason.class);
    String[] fields = new String[layout.columns().size()];

    Files.createDirectories(file.getParent());
    try (OutputStream output = open(file)) {
      encoder.encode(layout.header().toArray(String[]::new)).writeTo(output);
      long unreported = 0;
      for (long row = 0; row < rows; row++) {
        boolean defective = defects.nextRowIsDefective();
        if (!defective && mixesVitalSigns && random.nextDouble() < VITAL_SIGN_SHARE) {
          layout.format(encounters.nextVitalSign(), month, fields);
          encoder.encode(fields).writeTo(output);
        } else if (!defective) {
          LabResult result = encounters.nextResult();
          if (random.nextDouble() < QUOTED_NAME_SHARE) {
            result = result.withDelimiterInName();
          }
          layout.format(result, month, fields);
          encoder.encode(fields).writeTo(output);
          recentCleanRows[cleanRowCount++ % RECENT_CLEAN_ROWS] = encoder.toByteArray();
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
        if (++unreported == PROGRESS_INTERVAL) {
          rowsWritten.accept(unreported);
          unreported = 0;
        }
      }
      if (unreported > 0) {
        rowsWritten.accept(unreported);
      }
    }
    Map<String, Long> defectsByReason = new TreeMap<>();
    defectCounts.forEach((reason, count) -> defectsByReason.put(reason.name(), count));
    return new GeneratedFile(
        file, hospital.hospitalId(), hospital.source(), month, rows, defectsByReason);
  }

  /** GZIPOutputStream writes a zero modification time, so compressed bytes are reproducible. */
  private OutputStream open(Path file) throws IOException {
    OutputStream output = Files.newOutputStream(file);
    if (options.gzip()) {
      return new BufferedOutputStream(new GZIPOutputStream(output, BUFFER_SIZE), BUFFER_SIZE);
    }
    return new BufferedOutputStream(output, BUFFER_SIZE);
  }
}
