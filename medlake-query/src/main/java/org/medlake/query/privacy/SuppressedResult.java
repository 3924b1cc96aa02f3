package org.medlake.query.privacy;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import org.medlake.query.result.ResultTable;

/**
 * A result table after small-cell suppression.
 *
 * @param table the same rows in the same order; in a suppressed row the patient count and every
 *     measure cell are null, the group cells are kept
 * @param suppressedCells number of cells replaced by null: suppressed rows × (measures + 1)
 * @param suppressedRows indexes into {@code table.rows()} of the suppressed rows, ascending. Rows
 *     hidden for being small and rows hidden to protect them are deliberately not told apart: a
 *     viewer who knew which were which would learn that the former are below the threshold.
 */
public record SuppressedResult(
    ResultTable table, int suppressedCells, List<Integer> suppressedRows) {
  public SuppressedResult {
    requireNonNull(table, "table is null");
    suppressedRows = List.copyOf(suppressedRows);
    if (suppressedCells < 0) {
      throw new IllegalArgumentException("suppressedCells is negative: " + suppressedCells);
    }
    for (int i = 1; i < suppressedRows.size(); i++) {
      if (suppressedRows.get(i - 1) >= suppressedRows.get(i)) {
        throw new IllegalArgumentException(
            "suppressedRows is not strictly ascending: " + suppressedRows);
      }
    }
  }

  public boolean isSuppressed(int rowIndex) {
    return Collections.binarySearch(suppressedRows, rowIndex) >= 0;
  }
}
