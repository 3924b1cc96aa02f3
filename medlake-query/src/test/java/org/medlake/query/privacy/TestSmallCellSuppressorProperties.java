package org.medlake.query.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.query.privacy.SmallCellTables.BY_HOSPITAL_AND_MONTH;
import static org.medlake.query.privacy.SmallCellTables.K;
import static org.medlake.query.privacy.SmallCellTables.MEASURES;
import static org.medlake.query.privacy.SmallCellTables.PATIENTS;
import static org.medlake.query.privacy.SmallCellTables.grid;
import static org.medlake.query.privacy.SmallCellTables.hospitalMonthLines;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medlake.query.result.ResultTable;

class TestSmallCellSuppressorProperties {
  private static final int TABLES = 2_000;

  private final SmallCellSuppressor suppressor = new SmallCellSuppressor(K);

  @Test
  void randomHospitalByMonthTables() {
    // Fixed seed: a failure names a table that can be rebuilt.
    Random random = new Random(20240611L);
    int suppressedAtAll = 0;
    for (int table = 0; table < TABLES; table++) {
      ResultTable input = randomTable(random);
      SuppressedResult result =
          suppressor.suppress(input, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);
      String context = "table " + table + ": " + input.rows();

      assertOnlySuppressed(input, result, context);
      assertNoSmallRowVisible(input, result, context);
      assertNoLineHidesOneRow(result, context);
      assertThat(result.suppressedCells())
          .as(context)
          .isEqualTo(result.suppressedRows().size() * (MEASURES.size() + 1));
      if (!result.suppressedRows().isEmpty()) {
        suppressedAtAll++;
      }
    }
    // Guard against a generator that never exercises suppression.
    assertThat(suppressedAtAll).isGreaterThan(TABLES / 2);
  }

  /** 1-6 hospitals × 1-8 months, each combination present with probability 0.85, 0-40 patients. */
  private static ResultTable randomTable(Random random) {
    String[] hospitals = new String[1 + random.nextInt(6)];
    long[][] patients = new long[hospitals.length][1 + random.nextInt(8)];
    for (int h = 0; h < hospitals.length; h++) {
      hospitals[h] = "H" + h;
      for (int m = 0; m < patients[h].length; m++) {
        patients[h][m] = random.nextDouble() < 0.85 ? random.nextInt(41) : -1;
      }
    }
    return grid(hospitals, patients);
  }

  private static void assertOnlySuppressed(
      ResultTable input, SuppressedResult result, String context) {
    assertThat(result.table().columns()).as(context).isEqualTo(input.columns());
    assertThat(result.table().rows()).as(context).hasSameSizeAs(input.rows());
    for (int row = 0; row < input.rows().size(); row++) {
      List<Object> before = input.rows().get(row);
      List<Object> after = result.table().rows().get(row);
      if (result.isSuppressed(row)) {
        assertThat(after)
            .as(context)
            .isEqualTo(Arrays.asList(before.get(0), before.get(1), null, null, null));
      } else {
        assertThat(after).as(context).isEqualTo(before);
      }
    }
  }

  private static void assertNoSmallRowVisible(
      ResultTable input, SuppressedResult result, String context) {
    for (int row = 0; row < input.rows().size(); row++) {
      long patients = (Long) input.rows().get(row).get(2);
      if (patients < K) {
        assertThat(result.isSuppressed(row)).as(context + ", row " + row).isTrue();
      }
    }
  }

  private static void assertNoLineHidesOneRow(SuppressedResult result, String context) {
    for (List<Integer> line : hospitalMonthLines(result.table())) {
      long hidden = line.stream().filter(result::isSuppressed).count();
      if (line.size() > 1) {
        assertThat(hidden).as(context + ", line " + line).isNotEqualTo(1);
      }
    }
  }
}
