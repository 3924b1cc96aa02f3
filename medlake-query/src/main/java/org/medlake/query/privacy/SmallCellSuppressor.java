package org.medlake.query.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * Small-cell suppression of aggregate results for users who may only see aggregates.
 *
 * <p>The table must hold the cells of one grouping: one row per combination of the group columns
 * that has data, a distinct-patient count, and measure columns. No subtotal or ROLLUP rows.
 *
 * <p><b>Primary suppression.</b> A row computed from fewer than k distinct patients has its patient
 * count and all its measures replaced by null. Its group cells stay visible: that the category
 * exists is not what is protected, its values are. A null patient count is treated as zero, so a
 * count we cannot read hides the row rather than shows it.
 *
 * <p><b>Complementary suppression.</b> For each group column g, a <i>margin line</i> is the set of
 * rows that agree on every other group column; its sum is what the same query without g would show
 * (with one group column the line is the whole table, its margin the grand total). If a line of
 * more than one row hides exactly one row, that row is the line's published total minus the visible
 * rows, so the visible row with the fewest patients in the line (the earliest on ties) is hidden
 * too. Rows that are alone in some other line are passed over while another candidate exists: their
 * own margin equals them, so hiding them would not hide anything. Each new suppression can leave
 * another line with a single hidden row, so this repeats until no line has one; it ends because
 * every round hides at least one more row. A line of one row is left alone: if the row is small,
 * its margin equals the cell, so it is as small and hidden wherever it is published through this
 * class.
 *
 * <p><b>What this does not protect against</b> (known limitations):
 *
 * <ul>
 *   <li>Differencing across different queries: two filters that differ by a few patients (ages
 *       40-90 and 41-90, or two overlapping date ranges) each pass suppression, and their
 *       difference is a small cell. Preventing that needs limits on the queries themselves.
 *   <li>Combinations of several lines: with two or more group columns a hidden cell can still be
 *       determined by adding and subtracting several margins even though every line hides at least
 *       two cells. In hospital × month, if A/m1 is hidden and A/m3, A/m4, B/m3, B/m4 hide it, then
 *       A/m1 = total(A) - (total(m3) + total(m4) - total(B)) - A/m2. Only single lines are checked
 *       here; ruling this out needs a check of the whole linear system of published margins.
 *   <li>Lines where every visible row is exposed (alone in another line): whatever is hidden, the
 *       hidden row follows from published margins.
 *   <li>Bounds: counts are non-negative, so a hidden cell lies between zero and its line's total
 *       minus the visible rows. Hiding the smallest visible row loses the least data but leaves
 *       that interval narrow.
 *   <li>Distinct patient counts are not additive (one patient can fall in several months), so
 *       subtracting margins bounds a hidden patient count rather than recovers it; additive
 *       measures such as result counts are what a single hidden cell would give away exactly.
 * </ul>
 */
public final class SmallCellSuppressor {
  public static final int DEFAULT_MINIMUM_PATIENTS = 11;

  private final int minimumPatients;

  /**
   * @param minimumPatients k: rows with fewer distinct patients are hidden; at least 2, since with
   *     k = 1 nothing would ever be hidden
   */
  public SmallCellSuppressor(int minimumPatients) {
    if (minimumPatients < 2) {
      throw new IllegalArgumentException("minimumPatients must be at least 2: " + minimumPatients);
    }
    this.minimumPatients = minimumPatients;
  }

  /**
   * @param groupColumns the columns the query grouped by, possibly none
   * @param patientCountColumn the column holding each row's number of distinct patients
   * @param measureColumns every other column of the table; a column named in none of the three
   *     lists is rejected rather than passed through unsuppressed
   */
  public SuppressedResult suppress(
      ResultTable table,
      List<String> groupColumns,
      String patientCountColumn,
      List<String> measureColumns) {
    requireNonNull(table, "table is null");
    requireNonNull(groupColumns, "groupColumns is null");
    requireNonNull(patientCountColumn, "patientCountColumn is null");
    requireNonNull(measureColumns, "measureColumns is null");
    checkEveryColumnNamedOnce(table, groupColumns, patientCountColumn, measureColumns);

    int[] groupIndexes = indexes(table, groupColumns);
    int countIndex = table.columnIndex(patientCountColumn);
    int[] measureIndexes = indexes(table, measureColumns);

    List<List<Object>> rows = table.rows();
    long[] patients = new long[rows.size()];
    boolean[] suppressed = new boolean[rows.size()];
    for (int row = 0; row < rows.size(); row++) {
      patients[row] = patientCount(rows.get(row).get(countIndex), patientCountColumn, row);
      suppressed[row] = patients[row] < minimumPatients;
    }
    // Without group columns there are no margins within the result to protect against.
    if (groupIndexes.length > 0) {
      suppressComplements(marginLines(rows, groupIndexes), patients, suppressed);
    }

    List<List<Object>> outputRows = new ArrayList<>(rows.size());
    List<Integer> suppressedRows = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      if (!suppressed[row]) {
        outputRows.add(rows.get(row));
        continue;
      }
      // ResultTable's cells may be null, so a mutable copy rather than List.of
      List<Object> hidden = new ArrayList<>(rows.get(row));
      hidden.set(countIndex, null);
      for (int measure : measureIndexes) {
        hidden.set(measure, null);
      }
      outputRows.add(hidden);
      suppressedRows.add(row);
    }
    return new SuppressedResult(
        new ResultTable(table.columns(), outputRows),
        suppressedRows.size() * (measureIndexes.length + 1),
        suppressedRows);
  }

  private static void suppressComplements(
      List<List<Integer>> lines, long[] patients, boolean[] suppressed) {
    // A row alone in some line is exposed: that line's margin, published by the query without
    // the line's group column, equals the row, so hiding it here would protect nothing.
    boolean[] exposed = new boolean[patients.length];
    for (List<Integer> line : lines) {
      if (line.size() == 1) {
        exposed[line.get(0)] = true;
      }
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (List<Integer> line : lines) {
        if (line.size() > 1 && hiddenRows(line, suppressed) == 1) {
          suppressed[complement(line, patients, suppressed, exposed)] = true;
          changed = true;
        }
      }
    }
  }

  private static int hiddenRows(List<Integer> line, boolean[] suppressed) {
    int hidden = 0;
    for (int row : line) {
      if (suppressed[row]) {
        hidden++;
      }
    }
    return hidden;
  }

  /**
   * The visible row of the line with the fewest patients, preferring rows that are not exposed. If
   * every candidate is exposed, the hidden row can be recovered whatever is chosen; the smallest is
   * still hidden so that no line is left hiding a single row.
   */
  private static int complement(
      List<Integer> line, long[] patients, boolean[] suppressed, boolean[] exposed) {
    int best = -1;
    for (int row : line) {
      if (suppressed[row]) {
        continue;
      }
      if (best < 0
          || (exposed[best] && !exposed[row])
          || (exposed[best] == exposed[row] && patients[row] < patients[best])) {
        best = row;
      }
    }
    return best;
  }

  /** Every line, including lines of one row, each as row indexes in ascending order. */
  private static List<List<Integer>> marginLines(List<List<Object>> rows, int[] groupIndexes) {
    List<List<Integer>> lines = new ArrayList<>();
    for (int varying = 0; varying < groupIndexes.length; varying++) {
      Map<List<Object>, List<Integer>> byOtherGroups = new LinkedHashMap<>();
      for (int row = 0; row < rows.size(); row++) {
        Object[] key = new Object[groupIndexes.length - 1];
        int position = 0;
        for (int group = 0; group < groupIndexes.length; group++) {
          if (group != varying) {
            key[position++] = rows.get(row).get(groupIndexes[group]);
          }
        }
        // Arrays.asList, not List.of: a group value may be null (SQL groups NULLs together)
        byOtherGroups.computeIfAbsent(Arrays.asList(key), ignored -> new ArrayList<>()).add(row);
      }
      lines.addAll(byOtherGroups.values());
    }
    return lines;
  }

  private static long patientCount(Object value, String column, int row) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < Long.SIZE ? big.longValue() : big.signum() * Long.MAX_VALUE;
    }
    throw new IllegalArgumentException(
        "Patient count column '%s' holds a %s in row %d, expected an integer"
            .formatted(column, value.getClass().getSimpleName(), row));
  }

  private static void checkEveryColumnNamedOnce(
      ResultTable table,
      List<String> groupColumns,
      String patientCountColumn,
      List<String> measureColumns) {
    List<String> named = new ArrayList<>(groupColumns);
    named.add(patientCountColumn);
    named.addAll(measureColumns);
    Set<String> seen = new HashSet<>();
    for (String name : named) {
      if (!seen.add(name)) {
        throw new IllegalArgumentException("Column '%s' is named more than once".formatted(name));
      }
      table.columnIndex(name);
    }
    // columnIndex finds the first of two equal names, so a second one would escape suppression.
    Set<String> inTable = new HashSet<>();
    for (ResultColumn column : table.columns()) {
      if (!inTable.add(column.name())) {
        throw new IllegalArgumentException(
            "Column '%s' appears more than once in the table".formatted(column.name()));
      }
      if (!seen.contains(column.name())) {
        throw new IllegalArgumentException(
            "Column '%s' is neither a group column, the patient count nor a measure"
                .formatted(column.name()));
      }
    }
  }

  private static int[] indexes(ResultTable table, List<String> names) {
    return names.stream().mapToInt(table::columnIndex).toArray();
  }
}
