package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One written lab file.
 *
 * @param month the delivery month: the month directory the file is written into
 * @param dataRows every line after the header: clean, defective and (layout C) filtered rows
 * @param defects defective rows by reject reason name, sorted by name; clean files have none
 * @param shapes rows of real-world shape by kind ({@link RealWorldShapes}), sorted by name; also
 *     {@code CONVERTED_UNIT}: ordinary rows written in the hospital's own unit
 * @param defectiveLines the line numbers of the defective rows (the header is line 1)
 */
public record GeneratedFile(
    Path path,
    String hospitalId,
    String source,
    YearMonth month,
    Kind kind,
    long dataRows,
    Map<String, Long> defects,
    Map<String, Long> shapes,
    LineNumbers defectiveLines) {

  public GeneratedFile {
    requireNonNull(path, "path is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(source, "source is null");
    requireNonNull(month, "month is null");
    requireNonNull(kind, "kind is null");
    defects = Collections.unmodifiableSortedMap(new TreeMap<>(defects));
    shapes = Collections.unmodifiableSortedMap(new TreeMap<>(shapes));
    requireNonNull(defectiveLines, "defectiveLines is null");
  }

  public long defectiveRows() {
    return defects.values().stream().mapToLong(Long::longValue).sum();
  }

  /** What a file is for. */
  public enum Kind {
    /** A hospital's file of one month. */
    MONTHLY,
    /** A one-off file of many past months, delivered through its own source. */
    BACKFILL,
    /** A second, broken delivery of a month already delivered. */
    RESUBMISSION
  }
}
