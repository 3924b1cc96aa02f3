package org.medlake.query.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medlake.query.privacy.SmallCellTables.BY_HOSPITAL;
import static org.medlake.query.privacy.SmallCellTables.BY_HOSPITAL_AND_MONTH;
import static org.medlake.query.privacy.SmallCellTables.K;
import static org.medlake.query.privacy.SmallCellTables.MEASURES;
import static org.medlake.query.privacy.SmallCellTables.PATIENTS;
import static org.medlake.query.privacy.SmallCellTables.byHospital;
import static org.medlake.query.privacy.SmallCellTables.grid;
import static org.medlake.query.privacy.SmallCellTables.row;
import static org.medlake.query.privacy.SmallCellTables.suppressedGroups;
import static org.medlake.query.privacy.SmallCellTables.table;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

class TestSmallCellSuppressor {
  private final SmallCellSuppressor suppressor = new SmallCellSuppressor(K);

  @Test
  void rowsBelowKLoseTheirValuesButKeepTheirGroup() {
    ResultTable table = byHospital(3, 10, 11, 50);

    SuppressedResult result = suppressor.suppress(table, BY_HOSPITAL, PATIENTS, MEASURES);

    assertThat(result.suppressedRows()).containsExactly(0, 1);
    assertThat(result.suppressedCells()).isEqualTo(2 * 3);
    assertThat(result.table().columns()).isEqualTo(table.columns());
    assertThat(result.table().rows())
        .containsExactly(
            Arrays.asList("H0", null, null, null),
            Arrays.asList("H1", null, null, null),
            table.rows().get(2),
            table.rows().get(3));
    assertThat(result.isSuppressed(1)).isTrue();
    assertThat(result.isSuppressed(2)).isFalse();
  }

  @Test
  void aLoneSmallRowTakesTheNextSmallestWithIt() {
    // Without H3 hidden too, H0 = (total without grouping) - H1 - H2 - H3.
    SuppressedResult result =
        suppressor.suppress(byHospital(3, 50, 20, 12), BY_HOSPITAL, PATIENTS, MEASURES);

    assertThat(result.suppressedRows()).containsExactly(0, 3);
    assertThat(result.suppressedCells()).isEqualTo(6);
  }

  @Test
  void twoSmallRowsInALineNeedNoComplement() {
    assertThat(
            suppressor
                .suppress(byHospital(3, 8, 50, 60), BY_HOSPITAL, PATIENTS, MEASURES)
                .suppressedRows())
        .containsExactly(0, 1);

    // Each line of the 2x2 block of small cells already hides two.
    ResultTable table =
        grid(
            new String[] {"A", "B", "C"},
            new long[][] {
              {4, 7, 30},
              {9, 2, 40},
              {25, 35, 45}
            });
    assertThat(
            suppressedGroups(
                suppressor.suppress(table, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES), 2))
        .containsExactlyInAnyOrder("A/m1", "A/m2", "B/m1", "B/m2");
  }

  @Test
  void complementsPropagateAlongBothGroupColumnsToAFixedPoint() {
    // A/m1 is small. Its month hides B/m1 and its hospital A/m2; B/m1 then needs B/m3; A/m2 leaves
    // month m2 with one hidden cell, so B/m2, and B/m3 leaves m3 with one, so A/m3.
    ResultTable table =
        grid(
            new String[] {"A", "B", "C"},
            new long[][] {
              {5, 30, 40},
              {20, 45, 35},
              {60, 70, 80}
            });

    SuppressedResult result = suppressor.suppress(table, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);

    assertThat(suppressedGroups(result, 2))
        .containsExactlyInAnyOrder("A/m1", "A/m2", "A/m3", "B/m1", "B/m2", "B/m3");
    assertThat(result.suppressedCells()).isEqualTo(6 * 3);
  }

  @Test
  void rowsAloneInAnotherLineAreNotChosenAsComplements() {
    // A/m2 is alone in month m2, so the by-month query shows it; hiding it beside A/m1 would leave
    // A/m1 = total(A) - A/m2 - A/m3 - A/m4. A/m3 is chosen instead, though it has more patients.
    ResultTable table =
        grid(
            new String[] {"A", "B"},
            new long[][] {
              {5, 20, 40, 45},
              {-1, -1, 30, 35}
            });

    SuppressedResult result = suppressor.suppress(table, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);

    assertThat(suppressedGroups(result, 2))
        .containsExactlyInAnyOrder("A/m1", "A/m3", "A/m4", "B/m3", "B/m4");
  }

  @Test
  void aLineOfOneRowIsNotComplemented() {
    // Hospital B reported only in m1: its margin is B/m1 itself, as small as the cell.
    ResultTable table =
        grid(
            new String[] {"A", "B"},
            new long[][] {
              {30, 40, 50},
              {5, -1, -1}
            });

    SuppressedResult result = suppressor.suppress(table, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);

    // Month m1 hides A/m1 beside B/m1. Hospital A must then hide one of A/m2 and A/m3, both alone
    // in their month, so the smallest is taken; this is the documented case no choice protects.
    assertThat(suppressedGroups(result, 2)).containsExactlyInAnyOrder("A/m1", "A/m2", "B/m1");
  }

  @Test
  void equalCountsHideTheEarliestRow() {
    assertThat(
            suppressor
                .suppress(byHospital(20, 3, 20), BY_HOSPITAL, PATIENTS, MEASURES)
                .suppressedRows())
        .containsExactly(0, 1);
  }

  @Test
  void aTotalWithoutGroupsIsOnlyCheckedAgainstK() {
    ResultTable small = table(List.of(), List.of(row(List.of(), 10, 30)));
    ResultTable large = table(List.of(), List.of(row(List.of(), 11, 33)));

    assertThat(suppressor.suppress(small, List.of(), PATIENTS, MEASURES).table().rows())
        .containsExactly(Arrays.asList(null, null, null));
    assertThat(suppressor.suppress(large, List.of(), PATIENTS, MEASURES).suppressedCells())
        .isZero();
  }

  @Test
  void nullGroupValuesFormTheirOwnLine() {
    ResultTable table =
        table(
            BY_HOSPITAL_AND_MONTH,
            List.of(
                row(Arrays.asList("A", null), 4, 12),
                row(Arrays.asList("B", null), 30, 90),
                row(List.of("A", "m1"), 50, 150),
                row(List.of("B", "m1"), 60, 180)));

    SuppressedResult result = suppressor.suppress(table, BY_HOSPITAL_AND_MONTH, PATIENTS, MEASURES);

    assertThat(suppressedGroups(result, 2))
        .containsExactlyInAnyOrder("A/null", "B/null", "A/m1", "B/m1");
  }

  @Test
  void anUnreadablePatientCountHidesTheRow() {
    ResultTable table =
        table(
            BY_HOSPITAL,
            List.of(
                Arrays.asList("H0", null, 30L, 2.5),
                row(List.of("H1"), 40, 120),
                row(List.of("H2"), 50, 150)));

    assertThat(suppressor.suppress(table, BY_HOSPITAL, PATIENTS, MEASURES).suppressedRows())
        .containsExactly(0, 1);
  }

  @Test
  void kMustBeAtLeastTwo() {
    assertThatThrownBy(() -> new SmallCellSuppressor(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minimumPatients must be at least 2: 1");
    assertThat(
            new SmallCellSuppressor(2)
                .suppress(byHospital(1, 2, 3), BY_HOSPITAL, PATIENTS, MEASURES)
                .suppressedRows())
        .containsExactly(0, 1);
  }

  @Test
  void everyColumnMustBeNamedExactlyOnce() {
    ResultTable table = byHospital(20, 30);

    assertThatThrownBy(() -> suppressor.suppress(table, BY_HOSPITAL, PATIENTS, List.of("results")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Column 'mean_value' is neither a group column, the patient count nor a measure");
    assertThatThrownBy(() -> suppressor.suppress(table, BY_HOSPITAL, "hospital", MEASURES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'hospital' is named more than once");
    assertThatThrownBy(() -> suppressor.suppress(table, List.of("site"), PATIENTS, MEASURES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no column site");
  }

  @Test
  void aSecondColumnOfTheSameNameIsRejected() {
    ResultTable table =
        new ResultTable(
            List.of(
                new ResultColumn("hospital", "VARCHAR"),
                new ResultColumn(PATIENTS, "BIGINT"),
                new ResultColumn("results", "BIGINT"),
                new ResultColumn("results", "BIGINT")),
            List.of(List.of("H0", 3L, 9L, 9L)));

    assertThatThrownBy(() -> suppressor.suppress(table, BY_HOSPITAL, PATIENTS, List.of("results")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 'results' appears more than once in the table");
  }

  @Test
  void patientCountsMustBeIntegers() {
    ResultTable table = table(BY_HOSPITAL, List.of(Arrays.asList("H0", 12.0, 30L, 2.5)));

    assertThatThrownBy(() -> suppressor.suppress(table, BY_HOSPITAL, PATIENTS, MEASURES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Patient count column 'patients' holds a Double in row 0, expected an integer");
  }
}
