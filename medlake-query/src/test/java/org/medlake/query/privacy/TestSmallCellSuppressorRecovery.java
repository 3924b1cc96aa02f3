package org.medlake.query.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.query.privacy.SmallCellTables.BY_HOSPITAL_AND_MONTH;
import static org.medlake.query.privacy.SmallCellTables.K;
import static org.medlake.query.privacy.SmallCellTables.MEASURES;
import static org.medlake.query.privacy.SmallCellTables.PATIENTS;
import static org.medlake.query.privacy.SmallCellTables.hospitalMonthLines;
import static org.medlake.query.privacy.SmallCellTables.row;
import static org.medlake.query.privacy.SmallCellTables.table;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.medlake.query.result.ResultTable;

/**
 * Plays a viewer who also sees the per-hospital and per-month totals, computed from all lab results
 * (as the same query without one grouping would show them), and tries to recover hidden result
 * counts by subtracting the visible cells of a line from its total.
 */
class TestSmallCellSuppressorRecovery {
  private static final int GRIDS = 300;

  private final SmallCellSuppressor suppressor = new SmallCellSuppressor(K);

  @Test
  void noHiddenCellFollowsFromItsLineTotals() {
    Random random = new Random(7L);
    for (int grid = 0; grid < GRIDS; grid++) {
      LabData data = LabData.random(random);
      SuppressedResult result =
          suppressor.suppress(data.cells(), BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);
      String context = "grid " + grid + ": " + data.cells().rows();

      for (List<Integer> line : hospitalMonthLines(data.cells())) {
        long unknowns = line.stream().filter(result::isSuppressed).count();
        assertThat(unknowns).as(context + ", line " + line).isNotEqualTo(1);
      }
      assertThat(recover(data, result::isSuppressed)).as(context).isEmpty();
    }
  }

  @Test
  void withoutComplementsTheSameViewerRecoversCells() {
    // Shows the viewer above is able to recover something, so its failing proves the protection.
    Random random = new Random(7L);
    int recovered = 0;
    for (int grid = 0; grid < GRIDS; grid++) {
      LabData data = LabData.random(random);
      recovered += recover(data, row -> data.patients(row) < K).size();
    }
    assertThat(recovered).isGreaterThan(GRIDS / 2);
  }

  /**
   * Repeatedly solves any line with a published total and one unknown cell, the way margins
   * cascade; returns the hidden rows it learned. Checks each solution against the data, so a
   * recovery is a real one.
   */
  private static Set<Integer> recover(LabData data, IntPredicate hidden) {
    int rows = data.cells().rows().size();
    boolean[] known = new boolean[rows];
    for (int row = 0; row < rows; row++) {
      known[row] = !hidden.test(row);
    }
    Set<Integer> recovered = new HashSet<>();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (LabData.Margin margin : data.publishedMargins()) {
        List<Integer> unknown = margin.rows().stream().filter(row -> !known[row]).toList();
        if (unknown.size() != 1) {
          continue;
        }
        long rest = margin.rows().stream().filter(row -> known[row]).mapToLong(data::results).sum();
        int row = unknown.get(0);
        assertThat(margin.results() - rest).isEqualTo(data.results(row));
        known[row] = true;
        recovered.add(row);
        progress = true;
      }
    }
    return recovered;
  }

  /**
   * Lab results of a full hospital × month grid aggregated to one row per cell, and the per-line
   * totals from the same results. A margin is published only with at least k distinct patients, as
   * it would be when a viewer asks for it.
   */
  private record LabData(ResultTable cells, List<Margin> publishedMargins) {
    record Margin(List<Integer> rows, long results) {}

    static LabData random(Random random) {
      int hospitals = 2 + random.nextInt(4);
      int months = 2 + random.nextInt(6);
      List<List<Object>> rows = new ArrayList<>();
      List<Set<Integer>> patientsByRow = new ArrayList<>();
      for (int h = 0; h < hospitals; h++) {
        // Each hospital draws its patients from its own pool, so a patient recurs across months.
        int pool = 30 + random.nextInt(60);
        for (int m = 0; m < months; m++) {
          int size = random.nextInt(3) == 0 ? random.nextInt(K) : K + random.nextInt(pool - K);
          Set<Integer> patients = new HashSet<>();
          while (patients.size() < size) {
            patients.add(h * 1_000 + random.nextInt(pool));
          }
          long results = 0;
          for (int ignored = 0; ignored < size; ignored++) {
            results += 1 + random.nextInt(4);
          }
          rows.add(row(List.of("H" + h, "m" + m), size, results));
          patientsByRow.add(patients);
        }
      }
      ResultTable cells = table(BY_HOSPITAL_AND_MONTH, rows);
      List<Margin> margins = new ArrayList<>();
      for (List<Integer> line : hospitalMonthLines(cells)) {
        Set<Integer> patients = new HashSet<>();
        long results = 0;
        for (int row : line) {
          patients.addAll(patientsByRow.get(row));
          results += (Long) rows.get(row).get(3);
        }
        if (patients.size() >= K) {
          margins.add(new Margin(line, results));
        }
      }
      return new LabData(cells, margins);
    }

    long patients(int row) {
      return (Long) cells.rows().get(row).get(2);
    }

    long results(int row) {
      return (Long) cells.rows().get(row).get(3);
    }
  }
}
