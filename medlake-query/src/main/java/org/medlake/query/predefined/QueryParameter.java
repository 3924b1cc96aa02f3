package org.medlake.query.predefined;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.medlake.core.error.ValidationException;

/**
 * A typed parameter of a predefined query, with its default and bounds.
 *
 * @param name the name used as {@code :name} in the SQL template
 * @param type string, string-list, int, double or date
 * @param description shown in forms and in {@code medlake queries}
 * @param defaultValue the value when the caller gives none (text, as on the command line; lists
 *     comma-separated; for a date, empty means no bound)
 * @param minimum lower bound for int, double and date parameters
 * @param maximum upper bound for int, double and date parameters; a date without bounds takes any
 *     day of the years 0001 to 9999, so that shifted (de-identified) dates can be asked for
 */
public record QueryParameter(
    @JsonProperty("name") String name,
    @JsonProperty("type") String type,
    @JsonProperty("description") String description,
    @JsonProperty("default") String defaultValue,
    @JsonProperty("min") String minimum,
    @JsonProperty("max") String maximum) {
  private static final Pattern ISO_DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  public QueryParameter {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (!List.of("string", "string-list", "int", "double", "date").contains(type)) {
      throw new ValidationException(
          "parameter "
              + name
              + ": unknown type '"
              + type
              + "' (string, string-list, int, double, date)");
    }
    description = description == null ? "" : description;
  }

  /**
   * Converts the text a caller gave (or the default) into the typed value, checking the bounds. An
   * empty date is null: no bound.
   */
  public Object parse(String text) {
    String value = text == null ? defaultValue : text;
    if (value == null) {
      throw new ValidationException("parameter '" + name + "' is required");
    }
    try {
      return switch (type) {
        case "string" -> value;
        case "string-list" -> list(value);
        case "int" -> bounded(Long.parseLong(value.trim()));
        case "double" -> bounded(Double.parseDouble(value.trim()));
        case "date" -> value.isBlank() ? null : bounded(date(value.trim()));
        default -> throw new IllegalStateException(type);
      };
    } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
      throw new ValidationException(
          "parameter '"
              + name
              + "' must be "
              + article()
              + " "
              + type
              + (type.equals("date") ? " YYYY-MM-DD (years 0001 to 9999)" : "")
              + ", not '"
              + value
              + "'");
    }
  }

  /**
   * ISO dates with a four-digit year: what the stored timestamps, Iceberg literals and the web's
   * date inputs all hold.
   */
  private static LocalDate date(String text) {
    if (!ISO_DATE.matcher(text).matches()) {
      throw new java.time.format.DateTimeParseException("not YYYY-MM-DD", text, 0);
    }
    LocalDate date = LocalDate.parse(text);
    if (date.getYear() < 1) {
      throw new java.time.format.DateTimeParseException("year 0000", text, 0);
    }
    return date;
  }

  private static List<String> list(String value) {
    List<String> values = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        values.add(part.trim());
      }
    }
    return values;
  }

  @SuppressWarnings("unchecked")
  private <T extends Comparable<T>> T bounded(T value) {
    if (minimum != null && value.compareTo((T) parseBound(minimum)) < 0
        || maximum != null && value.compareTo((T) parseBound(maximum)) > 0) {
      throw new ValidationException(
          "parameter '%s' must be between %s and %s, not %s"
              .formatted(
                  name,
                  minimum == null ? "-inf" : minimum,
                  maximum == null ? "+inf" : maximum,
                  value));
    }
    return value;
  }

  private Object parseBound(String bound) {
    return switch (type) {
      case "int" -> Long.parseLong(bound);
      case "double" -> Double.parseDouble(bound);
      case "date" -> LocalDate.parse(bound);
      default -> bound;
    };
  }

  private String article() {
    return type.toLowerCase(Locale.ROOT).startsWith("i") ? "an" : "a";
  }
}
