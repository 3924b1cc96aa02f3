package org.medlake.query.structured;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.medlake.core.error.ValidationException;

/** Comparison of a filter; the JSON form is the SQL-like symbol. */
public enum FilterOperator {
  EQUAL("="),
  NOT_EQUAL("!="),
  LESS_THAN("<"),
  LESS_THAN_OR_EQUAL("<="),
  GREATER_THAN(">"),
  GREATER_THAN_OR_EQUAL(">="),
  IN("in"),
  BETWEEN("between"),
  LIKE("like"),
  IS_NULL("is null"),
  IS_NOT_NULL("is not null");

  private final String symbol;

  FilterOperator(String symbol) {
    this.symbol = symbol;
  }

  @JsonValue
  public String symbol() {
    return symbol;
  }

  @JsonCreator
  public static FilterOperator fromSymbol(String symbol) {
    String normalised = symbol.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(operator -> operator.symbol.equals(normalised))
        .findFirst()
        .orElseThrow(
            () ->
                new ValidationException(
                    "unknown operator '%s'; expected one of %s"
                        .formatted(
                            symbol,
                            Arrays.stream(values())
                                .map(FilterOperator::symbol)
                                .collect(Collectors.joining(", ")))));
  }
}
