package org.medlake.testkit.generate;

import java.time.LocalDateTime;
import java.util.List;
import java.util.SplittableRandom;
import org.medlake.testkit.generate.LabTest.Parameters;
import org.medlake.testkit.generate.LabTest.TextResult;

/** Draws one result of a test for a patient: value, rounding, reporting limit and flag. */
final class ResultSampler {
  private static final int ATTEMPTS_BEFORE_CLAMPING = 4;

  private ResultSampler() {}

  static LabResult sample(
      LabTest test,
      Patient patient,
      long encounterNumber,
      LocalDateTime collectedAt,
      LocalDateTime resultedAt,
      Category category,
      SplittableRandom random) {
    if (test.isText()) {
      int chosen = chooseText(test.textResults(), random);
      return new LabResult(
          patient,
          encounterNumber,
          test,
          Double.NaN,
          test.textResults().get(chosen).value(),
          false,
          chosen == 0 ? Flag.NORMAL : Flag.ABNORMAL,
          collectedAt,
          resultedAt,
          category,
          false);
    }
    double value = numericValue(test, patient.sex(), random);
    boolean belowLimit = test.hasReportingLimit() && value < test.reportingLimit();
    Flag flag = test.range(patient.sex()).flag(belowLimit ? test.reportingLimit() : value);
    return new LabResult(
        patient,
        encounterNumber,
        test,
        value,
        "",
        belowLimit,
        flag,
        collectedAt,
        resultedAt,
        category,
        false);
  }

  /**
   * Always within the plausible bounds, which the validator enforces: out-of-bounds draws are drawn
   * again and, rarely, clamped. The bounds have no more decimals than the test reports, so rounding
   * cannot leave them.
   */
  static double numericValue(LabTest test, Sex sex, SplittableRandom random) {
    Parameters parameters = test.parameters(sex);
    double value = draw(test, parameters, random);
    for (int attempt = 1;
        attempt < ATTEMPTS_BEFORE_CLAMPING && !withinPlausibleBounds(test, value);
        attempt++) {
      value = draw(test, parameters, random);
    }
    value = Math.max(test.plausibleMin(), Math.min(test.plausibleMax(), value));
    return TextFormat.round(value, test.decimals());
  }

  private static boolean withinPlausibleBounds(LabTest test, double value) {
    return value >= test.plausibleMin() && value <= test.plausibleMax();
  }

  private static double draw(LabTest test, Parameters parameters, SplittableRandom random) {
    double mean = parameters.mean();
    double deviation = parameters.standardDeviation();
    return switch (test.distribution()) {
      case NORMAL -> mean + deviation * Gaussian.next(random);
      case LOG_NORMAL -> {
        // parameters are given on the reported scale; convert to those of the logarithm
        double variance = StrictMath.log(1 + (deviation * deviation) / (mean * mean));
        double location = StrictMath.log(mean) - variance / 2;
        yield StrictMath.exp(location + StrictMath.sqrt(variance) * Gaussian.next(random));
      }
      case CATEGORICAL ->
          throw new IllegalArgumentException("Test " + test.code() + " has text results");
    };
  }

  private static int chooseText(List<TextResult> results, SplittableRandom random) {
    double total = 0;
    for (TextResult result : results) {
      total += result.weight();
    }
    double target = random.nextDouble() * total;
    for (int i = 0; i < results.size(); i++) {
      target -= results.get(i).weight();
      if (target < 0) {
        return i;
      }
    }
    return results.size() - 1;
  }
}
