package org.medlake.ingest.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.medlake.ingest.generate.Layout.Column;

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

  static String render(Hospital hospital) {
    Layout layout = hospital.layout();
    List<String> lines = new ArrayList<>();
    lines.add(
        "# Source mapping for hospital "
            + hospital.hospitalId()
            + " (written by medlake generate)");
    lines.add("source: " + hospital.source());
    lines.add("hospital-id: " + hospital.hospitalId());
    lines.add(
        "description: Synthetic hospital " + hospital.hospitalId() + ", layout " + layout.id());
    lines.add("cadence: monthly");
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
        .filter(column -> column.role().field().isPresent())
        .sorted(Comparator.comparing(Column::role))
        .forEach(column -> lines.add("  " + fieldKey(column) + ": " + column.name()));
    lines.addAll(layout.mappingExtras(hospital));
    return String.join("\n", lines) + "\n";
  }

  private static String fieldKey(Column column) {
    return column.role().field().orElseThrow().key();
  }

  private static void writeDictionary(ItemsLayout layout, Path file) throws IOException {
    CsvLineEncoder encoder = new CsvLineEncoder(',', "\n");
    try (OutputStream output = Files.newOutputStream(file)) {
      encoder.encode(new String[] {"local_code", "test_code", "test_name", "unit"}).writeTo(output);
      for (ItemsLayout.DictionaryEntry entry : layout.dictionary()) {
        LabTest test = entry.test();
        encoder
            .encode(new String[] {entry.localCode(), test.code(), test.name(), test.unit()})
            .writeTo(output);
      }
    }
  }
}
