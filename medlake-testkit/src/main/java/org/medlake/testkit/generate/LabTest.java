package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One lab test of the catalogue. Numeric tests carry sex-specific reference ranges and sampling
 * parameters; text tests carry their possible results with weights, the first being the normal one.
 */
record LabTest(
    String code,
    String name,
    String unit,
    Range femaleRange,
    Range maleRange,
    double plausibleMin,
    double plausibleMax,
    Distribution distribution,
    double reportingLimit,
    Parameters female,
    Parameters male,
    int decimals,
    List<TextResult> textResults) {

  LabTest {
    requireNonNull(code, "code is null");
    requireNonNull(name, "name is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(femaleRange, "femaleRange is null");
    requireNonNull(maleRange, "maleRange is null");
    requireNonNull(distribution, "distribution is null");
    requireNonNull(female, "female is null");
    requireNonNull(male, "male is null");
    textResults = List.copyOf(textResults);
    if (distribution == Distribution.CATEGORICAL && textResults.isEmpty()) {
      throw new IllegalArgumentException("Text test " + code + " has no results");
    }
  }

  boolean isText() {
    return distribution == Distribution.CATEGORICAL;
  }

  /**
   * Below this limit the lab reports {@code <limit} instead of the value; NaN when it never does.
   */
  boolean hasReportingLimit() {
    return !Double.isNaN(reportingLimit);
  }

  Range range(Sex sex) {
    return sex == Sex.MALE ? maleRange : femaleRange;
  }

  Parameters parameters(Sex sex) {
    return sex == Sex.MALE ? male : female;
  }

  /** The name without the LOINC property and system, e.g. {@code Hemoglobin}. */
  String shortName() {
    int bracket = name.indexOf(" [");
    return bracket < 0 ? name : name.substring(0, bracket);
  }

  Specimen specimen() {
    if (name.contains("Urine")) {
      return Specimen.URINE;
    }
    if (name.contains("Platelet poor plasma") || name.startsWith("Prothrombin")) {
      return Specimen.CITRATE_PLASMA;
    }
    if (name.contains("Serum or Plasma")) {
      return Specimen.SERUM;
    }
    return Specimen.BLOOD;
  }

  enum Distribution {
    NORMAL,
    LOG_NORMAL,
    CATEGORICAL
  }

  /** Mean and standard deviation on the reported scale, also for log-normal tests. */
  record Parameters(double mean, double standardDeviation) {}

  /** A reference range; an infinite bound means the range is one-sided, e.g. {@code <5}. */
  record Range(double low, double high) {
    static final Range NONE = new Range(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    boolean hasLow() {
      return Double.isFinite(low);
    }

    boolean hasHigh() {
      return Double.isFinite(high);
    }

    /**
     * Critical (LL/HH) means further outside than the width of the range, that is beyond twice the
     * width measured from the opposite bound; a missing low bound counts as 0.
     */
    Flag flag(double value) {
      double effectiveLow = hasLow() ? low : 0;
      double effectiveHigh = hasHigh() ? high : Double.POSITIVE_INFINITY;
      double width = hasHigh() ? effectiveHigh - effectiveLow : effectiveLow;
      if (value < effectiveLow) {
        return value < effectiveLow - width ? Flag.CRITICAL_LOW : Flag.LOW;
      }
      if (value > effectiveHigh) {
        return value > effectiveHigh + width ? Flag.CRITICAL_HIGH : Flag.HIGH;
      }
      return Flag.NORMAL;
    }
  }

  record TextResult(String value, double weight) {
    TextResult {
      requireNonNull(value, "value is null");
    }
  }
}
