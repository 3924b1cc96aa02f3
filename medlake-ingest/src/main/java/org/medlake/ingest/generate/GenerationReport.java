package org.medlake.ingest.generate;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link LabDataGenerator#generate} wrote.
 *
 * @param rows data rows over all files
 * @param defects defective rows by reject reason name over all files, sorted by name
 */
public record GenerationReport(List<GeneratedFile> files, long rows, Map<String, Long> defects) {
  public GenerationReport {
    files = List.copyOf(files);
    defects = Collections.unmodifiableSortedMap(new TreeMap<>(defects));
  }

  static GenerationReport summarize(List<GeneratedFile> files) {
    long rows = 0;
    Map<String, Long> defects = new TreeMap<>();
    for (GeneratedFile file : files) {
      rows += file.dataRows();
      file.defects().forEach((reason, count) -> defects.merge(reason, count, Long::sum));
    }
    return new GenerationReport(files, rows, defects);
  }

  public long defectiveRows() {
    return defects.values().stream().mapToLong(Long::longValue).sum();
  }
}
