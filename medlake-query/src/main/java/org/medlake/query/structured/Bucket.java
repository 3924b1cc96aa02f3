package org.medlake.query.structured;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.medlake.core.error.ValidationException;

/** How a grouping column's values are bucketed. */
public enum Bucket {
  /** Timestamps truncated to the first instant of the month. */
  MONTH,
  /** Timestamps truncated to the first instant of the quarter. */
  QUARTER,
  /** Timestamps truncated to the first instant of the year. */
  YEAR,
  /** Age at collection from the birth year, as a label such as {@code 40-49}. */
  AGE_BAND;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Bucket fromJsonName(String name) {
    return Arrays.stream(values())
        .filter(bucket -> bucket.jsonName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ValidationException(
                    "unknown bucket '%s'; expected one of %s"
                        .formatted(
                            name,
                            Arrays.stream(values())
                                .map(Bucket::jsonName)
                                .collect(Collectors.joining(", ")))));
  }
}
