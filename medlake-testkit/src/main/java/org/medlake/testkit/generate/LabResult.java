package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.time.LocalDateTime;

/**
 * One generated result before a layout spells it out.
 *
 * @param value the numeric result rounded to the test's decimals; NaN for text results
 * @param text the text result; empty for numeric results
 * @param belowReportingLimit the value lies below the test's reporting limit, which layouts that
 *     know comparators write as {@code <limit}
 * @param delimiterInName spell the test name with the layout's delimiter in it, so that it must be
 *     quoted
 */
record LabResult(
    Patient patient,
    long encounterNumber,
    LabTest test,
    double value,
    String text,
    boolean belowReportingLimit,
    Flag flag,
    LocalDateTime collectedAt,
    LocalDateTime resultedAt,
    Category category,
    boolean delimiterInName) {

  LabResult {
    requireNonNull(patient, "patient is null");
    requireNonNull(test, "test is null");
    requireNonNull(text, "text is null");
    requireNonNull(flag, "flag is null");
    requireNonNull(collectedAt, "collectedAt is null");
    requireNonNull(resultedAt, "resultedAt is null");
    requireNonNull(category, "category is null");
  }

  LabResult withDelimiterInName() {
    return new LabResult(
        patient,
        encounterNumber,
        test,
        value,
        text,
        belowReportingLimit,
        flag,
        collectedAt,
        resultedAt,
        category,
        true);
  }

  LabResult withTimes(LocalDateTime newCollectedAt, LocalDateTime newResultedAt) {
    return new LabResult(
        patient,
        encounterNumber,
        test,
        value,
        text,
        belowReportingLimit,
        flag,
        newCollectedAt,
        newResultedAt,
        category,
        delimiterInName);
  }

  LabResult withValue(double newValue, Flag newFlag) {
    return new LabResult(
        patient,
        encounterNumber,
        test,
        newValue,
        "",
        false,
        newFlag,
        collectedAt,
        resultedAt,
        category,
        delimiterInName);
  }
}
