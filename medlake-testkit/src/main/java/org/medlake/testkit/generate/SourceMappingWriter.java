package org.medlake.testkit.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.medlake.testkit.generate.Layout.Column;

/**
 * Writes {@code <source>.yaml} for a hospital, and for dictionary layouts {@code
 * <source>-items.csv}. The YAML is written as text, not through Jackson, to keep the comment and
 * the key order operators expect.
 */
final class SourceMappingWriter {
  private SourceMappingWriter() {}

  static Path write(Hospital hospital, Path sourcesDir) throws IOException {
    Files.createDirectories(sourcesDir);
    Path mapping = sourcesDir.resolve(hospital.source() + ".yaml");
    Files.writeString(mapping, render(hospital), StandardCharsets.UTF_8);
    if (hospital.layout() instanceof ItemsLayout items) {
      writeDictionary(items, sourcesDir.resolve(ItemsLayout.dictionaryFileName(hospital)));
    }
    return mapping;
  }

  /**
   * The mapping of a one-off backfill through its own source: the hospital's mapping without the
   * check that rows lie in the delivery month.
   */
  static Path writeBackfill(Hospital hospital, Path sourcesDir) throws IOException {
    Files.createDirectories(sourcesDir);
    Path mapping = sourcesDir.resolve(hospital.source() + ".yaml");
    // one-off: never reported as a missing delivery
    List<String> lines = lines(hospital, ", one-off backfill of many months", "none");
    lines.add("rules: {disabled: [collected-at-in-month]}");
    Files.writeString(mapping, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return mapping;
  }

  static String render(Hospital hospital) {
    return String.join("\n", lines(hospital, "", "monthly")) + "\n";
  }

  private static List<String> lines(Hospital hospital, String descriptionSuffix, String cadence) {
    Layout layout = hospital.layout();
    List<String> lines = new ArrayList<>();
    lines.add(
        "# Source mapping for hospital "
            + hospital.hospitalId()
            + " (written by medlake generate)");
    lines.add("source: " + hospital.source());
    lines.add("hospital-id: " + hospital.hospitalId());
    lines.add(
        "description: Synthetic hospital "
            + hospital.hospitalId()
            + ", layout "
            + layout.id()
            + descriptionSuffix);
    lines.add("cadence: " + cadence);
    lines.add("csv:");
    lines.add("  delimiter: \"" + layout.delimiter() + "\"");
    lines.add("  quote: '\"'");
    lines.add("  encoding: UTF-8");
    lines.add("  null-values: [\"\"]");
    lines.add("time-zone: " + hospital.timeZone().getId());
    lines.add("timestamp-formats: [\"" + layout.timestampFormat() + "\"]");
    lines.add("decimal-separator: \"" + layout.decimalSeparator() + "\"");
    lines.add("columns:");
    layout.columns().stream()
        .filter(column -> layout.field(column).isPresent())
        .sorted(Comparator.comparing(Column::role))
        .forEach(column -> lines.add("  " + fieldKey(layout, column) + ": " + column.name()));
    lines.addAll(layout.mappingExtras(hospital));
    return lines;
  }

  private static String fieldKey(Layout layout, Column column) {
    return layout.field(column).orElseThrow().key();
  }

  private static void writeDictionary(ItemsLayout layout, Path file) throws IOException {
    CsvLineEncoder encoder = new CsvLineEncoder(',', "\n");
    try (OutputStream output = Files.newOutputStream(file)) {
      encoder.encode(new String[] {"local_code", "test_code", "test_name", "unit"}).writeTo(output);
      for (ItemsLayout.DictionaryEntry entry : layout.dictionary()) {
        LabTest test = entry.test();
        encoder
            .encode(
                new String[] {entry.localCode(), entry.standardCode(), test.name(), test.unit()})
            .writeTo(output);
      }
    }
  }
}
