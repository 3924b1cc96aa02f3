package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

/**
 * What the test catalog says about the unit of one test.
 *
 * @param testCode the LOINC code
 * @param unit the canonical unit (UCUM), empty when the test has none (text results)
 * @param molarMass grams per mole of the measured substance, for converting between mass and
 *     substance concentrations; 0 when not given
 * @param valence the charge of the measured ion, for converting between equivalents and moles
 *     ({@code mEq/L}); 0 when not given
 */
public record LabTestUnit(String testCode, String unit, double molarMass, int valence) {
  public LabTestUnit {
    requireNonNull(testCode, "testCode is null");
    requireNonNull(unit, "unit is null");
    if (!(molarMass >= 0) || Double.isInfinite(molarMass)) {
      throw new IllegalArgumentException("Test " + testCode + " has molar mass " + molarMass);
    }
    if (valence < 0) {
      throw new IllegalArgumentException("Test " + testCode + " has valence " + valence);
    }
  }

  public boolean hasUnit() {
    return !unit.isEmpty();
  }

  public boolean hasMolarMass() {
    return molarMass > 0;
  }

  public boolean hasValence() {
    return valence > 0;
  }
}
