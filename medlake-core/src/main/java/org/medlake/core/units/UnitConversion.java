package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How values of one test written in one unit become values in the test's canonical unit.
 *
 * @param unit the written unit normalized to UCUM when understood, else the written text (trimmed);
 *     empty when nothing was written
 * @param canonicalUnit the test's canonical unit from the catalog; empty when it has none
 * @param factor multiplies a value in {@code unit} into {@code canonicalUnit}; {@code NaN} unless
 *     the status is convertible
 * @param status how the written unit relates to the canonical one
 */
public record UnitConversion(String unit, String canonicalUnit, double factor, UnitStatus status) {
  public UnitConversion {
    requireNonNull(unit, "unit is null");
    requireNonNull(canonicalUnit, "canonicalUnit is null");
    requireNonNull(status, "status is null");
    if (status.isConvertible() != Double.isFinite(factor)) {
      throw new IllegalArgumentException("factor " + factor + " does not fit status " + status);
    }
  }

  static UnitConversion convertible(
      String unit, String canonicalUnit, double factor, UnitStatus status) {
    return new UnitConversion(unit, canonicalUnit, factor, status);
  }

  static UnitConversion notConvertible(String unit, String canonicalUnit, UnitStatus status) {
    return new UnitConversion(unit, canonicalUnit, Double.NaN, status);
  }

  /** {@code value} in the canonical unit, when the unit converts. */
  public OptionalDouble toCanonical(double value) {
    return status.isConvertible() ? OptionalDouble.of(value * factor) : OptionalDouble.empty();
  }

  /**
   * The canonical unit a converted value is in (stored as {@code unit_canonical}), when the unit
   * converts.
   */
  public Optional<String> convertedUnit() {
    return status.isConvertible() ? Optional.of(canonicalUnit) : Optional.empty();
  }
}
