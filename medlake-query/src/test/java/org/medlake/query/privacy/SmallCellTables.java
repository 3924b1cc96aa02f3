package org.medlake.query.privacy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/** Aggregate tables shaped like a viewer's lab-result query: groups, patients, two measures. */
final class SmallCellTables {
  static final int K = SmallCellSuppressor.DEFAULT_MINIMUM_PATIENTS;
  static final String PATIENTS = "patients";
  static final List<String> MEASURES = List.of("results", "mean_value");
  static final List<String> BY_HOSPITAL = List.of("hospital");
  static final List<String> BY_HOSPITAL_AND_MONTH = List.of("hospital", "month");

  private SmallCellTables() {}

  /** One row per hospital H0, H1, ... with the given patient counts. */
  static ResultTable byHospital(long... patients) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < patients.length; i++) {
      rows.add(row(List.of("H" + i), patients[i], 3 * patients[i]));
    }
    return table(BY_HOSPITAL, rows);
  }

  /**
   * A hospital × month table: {@code patients[h][m]} for hospital {@code hospitals[h]} and month
   * m1, m2, ...; a negative count leaves that combination out, as a GROUP BY with no data would.
   */
  static ResultTable grid(String[] hospitals, long[][] patients) {
    List<List<Object>> rows = new ArrayList<>();
    for (int h = 0; h < hospitals.length; h++) {
      for (int m = 0; m < patients[h].length; m++) {
        if (patients[h][m] >= 0) {
          rows.add(row(List.of(hospitals[h], "m" + (m + 1)), patients[h][m], 3 * patients[h][m]));
        }
      }
    }
    return table(BY_HOSPITAL_AND_MONTH, rows);
  }

  /** Group values, then patients, results and a mean that is not derived from the count alone. */
  static List<Object> row(List<?> groups, long patients, long results) {
    List<Object> row = new ArrayList<>(groups);
    row.add(patients);
    row.add(results);
    row.add(results == 0 ? null : 4.0 + patients % 7);
    return row;
  }

  static ResultTable table(List<String> groupColumns, List<List<Object>> rows) {
    List<ResultColumn> columns = new ArrayList<>();
    for (String group : groupColumns) {
      columns.add(new ResultColumn(group, "VARCHAR"));
    }
    columns.add(new ResultColumn(PATIENTS, "BIGINT"));
    columns.add(new ResultColumn("results", "BIGINT"));
    columns.add(new ResultColumn("mean_value", "DOUBLE"));
    return new ResultTable(columns, rows);
  }

  /**
   * The margin lines of a hospital × month table, as row indexes: first the rows of each month,
   * then the rows of each hospital.
   */
  static List<List<Integer>> hospitalMonthLines(ResultTable table) {
    List<List<Integer>> lines = new ArrayList<>();
    for (int varying = 0; varying < 2; varying++) {
      Map<Object, List<Integer>> byOther = new LinkedHashMap<>();
      for (int row = 0; row < table.rows().size(); row++) {
        Object other = table.rows().get(row).get(1 - varying);
        byOther.computeIfAbsent(other, ignored -> new ArrayList<>()).add(row);
      }
      lines.addAll(byOther.values());
    }
    return lines;
  }

  /** The suppressed rows named by their group values joined with '/', e.g. "A/m1". */
  static Set<String> suppressedGroups(SuppressedResult result, int groupColumns) {
    Set<String> names = new LinkedHashSet<>();
    for (int row : result.suppressedRows()) {
      List<Object> cells = result.table().rows().get(row);
      names.add(
          String.join("/", cells.subList(0, groupColumns).stream().map(String::valueOf).toList()));
    }
    return names;
  }
}
