package org.medlake.testkit.generate;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link LabDataGenerator#generate} wrote.
 *
 * @param rows data rows over all files
 * @param defects defective rows by reject reason name over all files, sorted by name
 * @param shapes rows of real-world shape by kind over all files, sorted by name
 */
public record GenerationReport(
    List<GeneratedFile> files, long rows, Map<String, Long> defects, Map<String, Long> shapes) {
  public GenerationReport {
    files = List.copyOf(files);
    defects = Collections.unmodifiableSortedMap(new TreeMap<>(defects));
    shapes = Collections.unmodifiableSortedMap(new TreeMap<>(shapes));
  }

  static GenerationReport summarize(List<GeneratedFile> files) {
    long rows = 0;
    Map<String, Long> defects = new TreeMap<>();
    Map<String, Long> shapes = new TreeMap<>();
    for (GeneratedFile file : files) {
      rows += file.dataRows();
      file.defects().forEach((reason, count) -> defects.merge(reason, count, Long::sum));
      file.shapes().forEach((kind, count) -> shapes.merge(kind, count, Long::sum));
    }
    return new GenerationReport(files, rows, defects, shapes);
  }

  public long defectiveRows() {
    return defects.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The first file of the given kind, if any (there is at most one backfill and resubmission). */
  public Optional<GeneratedFile> file(GeneratedFile.Kind kind) {
    return files.stream().filter(file -> file.kind() == kind).findFirst();
  }
}
