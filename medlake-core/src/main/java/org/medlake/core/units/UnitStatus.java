package org.medlake.core.units;

/** How a result's unit relates to its test's canonical unit; stored as {@code unit_status}. */
public enum UnitStatus {
  /** Written in the canonical unit (factor 1). */
  CANONICAL,
  /** Written in another unit that converts to the canonical one by a factor. */
  CONVERTED,
  /**
   * No unit written for a test that has a canonical unit: taken to be the canonical unit (factor
   * 1).
   */
  ASSUMED_CANONICAL,
  /** The written unit is neither UCUM nor a known spelling. */
  UNKNOWN_UNIT,
  /** The written unit is understood but does not convert to the canonical unit. */
  INCOMPATIBLE_UNIT,
  /** The test is not in the catalog, has no canonical unit (text results), or has no test code. */
  NO_CANONICAL_UNIT;

  /** Whether a value in the written unit has a canonical value (factor known). */
  public boolean isConvertible() {
    return switch (this) {
      case CANONICAL, CONVERTED, ASSUMED_CANONICAL -> true;
      case UNKNOWN_UNIT, INCOMPATIBLE_UNIT, NO_CANONICAL_UNIT -> false;
    };
  }
}
