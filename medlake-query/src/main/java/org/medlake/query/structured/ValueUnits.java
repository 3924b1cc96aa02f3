package org.medlake.query.structured;

import java.util.Map;
import java.util.Optional;

/**
 * The unit column of each value column: a value aggregate is grouped by its unit too, so that
 * results in two units never meet in one number and every result carries its unit.
 */
final class ValueUnits {
  private static final Map<String, String> UNIT_COLUMNS =
      Map.of(
          "value_canonical", "unit_canonical",
          "value_numeric", "unit",
          "value_low", "unit",
          "value_high", "unit",
          "ref_low", "unit",
          "ref_high", "unit");

  private ValueUnits() {}

  /** The column holding the unit of {@code valueColumn}'s values, if they have one. */
  static Optional<String> unitColumn(String valueColumn) {
    return Optional.ofNullable(UNIT_COLUMNS.get(valueColumn));
  }
}
