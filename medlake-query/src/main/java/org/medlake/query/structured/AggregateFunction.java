package org.medlake.query.structured;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.medlake.core.error.ValidationException;

/** Aggregate functions of a structured query. */
public enum AggregateFunction {
  /** Number of rows. */
  COUNT,
  /** Number of distinct patients (patient_key). */
  COUNT_DISTINCT_PATIENTS,
  SUM,
  AVG,
  MIN,
  MAX,
  /** Sample standard deviation. */
  STDDEV,
  /** Continuous (interpolated) quantile at the aggregate's percentile. */
  PERCENTILE,
  /** Share of flagged results whose flag is not N, in percent. */
  PERCENT_ABNORMAL;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static AggregateFunction fromJsonName(String name) {
    return Arrays.stream(values())
        .filter(function -> function.jsonName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ValidationException(
                    "unknown aggregate function '%s'; expected one of %s"
                        .formatted(
                            name,
                            Arrays.stream(values())
                                .map(AggregateFunction::jsonName)
                                .collect(Collectors.joining(", ")))));
  }
}
