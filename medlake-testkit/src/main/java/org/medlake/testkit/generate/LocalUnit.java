package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

/**
 * A unit a hospital reports a test in instead of the catalogue's canonical one, e.g. glucose in
 * {@code mmol/L} instead of {@code mg/dL}.
 *
 * @param canonicalPerUnit the canonical value of one of this unit: 18.0156 mg/dL per mmol/L of
 *     glucose
 * @param decimals the decimals the hospital reports in this unit
 */
record LocalUnit(String unit, double canonicalPerUnit, int decimals) {
  // rounding must not carry a plausible value out of the bounds, whichever engine converts it back
  private static final double MARGIN = 1e-9;

  LocalUnit {
    requireNonNull(unit, "unit is null");
    if (!(canonicalPerUnit > 0)) {
      throw new IllegalArgumentException("Factor of " + unit + " must be positive");
    }
  }

  /**
   * A unit of substance for a test the catalogue gives in mass: {@code mmol/L} (exponent -3) or
   * {@code umol/L} (-6) for a test in {@code mg/dL}.
   */
  static LocalUnit substance(
      String unit, int molesPerLiterExponent, double molarMass, int decimals) {
    // 1 mol/L is molarMass g/L, that is molarMass * 100 mg/dL
    return new LocalUnit(unit, molarMass * 100 * Math.pow(10, molesPerLiterExponent), decimals);
  }

  /** A bound or any value that need not stay plausible, in this unit. */
  double fromCanonical(double value) {
    return value / canonicalPerUnit;
  }

  /**
   * A result in this unit, rounded to its decimals; a result inside {@code [min, max]} stays inside
   * when converted back, by moving it one last digit inwards if rounding carried it out.
   */
  double resultFromCanonical(double value, double min, double max) {
    double converted = TextFormat.round(value / canonicalPerUnit, decimals);
    if (value < min || value > max) {
      return converted;
    }
    double step = Math.pow(10, -decimals);
    while (converted * canonicalPerUnit < min * (1 + MARGIN)) {
      converted = TextFormat.round(converted + step, decimals);
    }
    while (converted * canonicalPerUnit > max * (1 - MARGIN)) {
      converted = TextFormat.round(converted - step, decimals);
    }
    return converted;
  }
}
