package org.medlake.ingest.generate;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One written lab file.
 *
 * @param dataRows every line after the header: clean, defective and (layout C) filtered rows
 * @param defects defective rows by reject reason name, sorted by name; clean files have none
 */
public record GeneratedFile(
    Path path,
    String hospitalId,
    String source,
    YearMonth month,
    long dataRows,
    Map<String, Long> defects) {

  public GeneratedFile {
    requireNonNull(path, "path is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(source, "source is null");
    requireNonNull(month, "month is null");
    defects = Collections.unmodifiableSortedMap(new TreeMap<>(defects));
  }

  public long defectiveRows() {
    return defects.values().stream().mapToLong(Long::longValue).sum();
  }
}
