package org.medlake.spark;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DuckDB's {@code try_strptime(text, [formats])} in Java, for the specifiers the source mappings use
 * ({@code %Y %y %m %d %b %H %M %S %f}): numbers of one up to the specifier's width, whitespace in the
 * format matches one or more whitespace characters, whitespace around the value is ignored, every
 * other character must appear literally, and impossible dates (30 February, hour 24) give no value.
 * The first format that matches the whole text wins.
 */
final class Strptime implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  private static final String SUPPORTED = "YymdbHMSf";

  private final List<String> formats;

  Strptime(List<String> formats) {
    for (String format : formats) {
      for (int i = 0; i < format.length(); i++) {
        if (format.charAt(i) == '%') {
          if (i + 1 >= format.length() || SUPPORTED.indexOf(format.charAt(i + 1)) < 0) {
            throw new IllegalArgumentException("timestamp format '" + format + "': specifier "
                + (i + 1 < format.length() ? "%" + format.charAt(i + 1) : "%") + " is not supported by the Spark job (supported: %Y %y %m %d %b %H %M %S %f)");
          }
          i++;
        }
      }
    }
    this.formats = List.copyOf(new ArrayList<>(formats));
  }

  Optional<LocalDateTime> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (String format : formats) {
      LocalDateTime parsed = parse(text, format);
      if (parsed != null) {
        return Optional.of(parsed);
      }
    }
    return Optional.empty();
  }

  private static LocalDateTime parse(String text, String format) {
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int micros = 0;
    int position = skipWhitespace(text, 0);
    for (int i = 0; i < format.length(); i++) {
      char f = format.charAt(i);
      if (f == '%') {
        char specifier = format.charAt(++i);
        if (specifier == 'b') {
          if (position + 3 > text.length()) {
            return null;
          }
          String name = text.substring(position, position + 3).toLowerCase(Locale.ROOT);
          month = 0;
          for (int m = 0; m < MONTHS.length; m++) {
            if (MONTHS[m].equals(name)) {
              month = m + 1;
            }
          }
          if (month == 0) {
            return null;
          }
          position += 3;
          continue;
        }
        int width = switch (specifier) {
          case 'Y' -> 4;
          case 'f' -> 6;
          default -> 2;
        };
        int start = position;
        int value = 0;
        while (position < text.length() && position - start < width && isAsciiDigit(text.charAt(position))) {
          value = value * 10 + (text.charAt(position) - '0');
          position++;
        }
        int digits = position - start;
        if (digits == 0) {
          return null;
        }
        switch (specifier) {
          case 'Y' -> year = value;
          case 'y' -> year = value >= 69 ? 1900 + value : 2000 + value;
          case 'm' -> month = value;
          case 'd' -> day = value;
          case 'H' -> hour = value;
          case 'M' -> minute = value;
          case 'S' -> second = value;
          case 'f' -> {
            micros = value;
            for (int d = digits; d < 6; d++) {
              micros *= 10;
            }
          }
          default -> throw new IllegalStateException("unchecked specifier %" + specifier);
        }
      } else if (isWhitespace(f)) {
        if (position >= text.length() || !isWhitespace(text.charAt(position))) {
          return null;
        }
        position = skipWhitespace(text, position);
      } else {
        if (position >= text.length() || text.charAt(position) != f) {
          return null;
        }
        position++;
      }
    }
    if (skipWhitespace(text, position) != text.length()) {
      return null;
    }
    try {
      // DuckDB reads year 0 as year 1
      return LocalDateTime.of(Math.max(year, 1), month, day, hour, minute, second, micros * 1000);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** C's isspace, as DuckDB uses it. */
  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  private static int skipWhitespace(String text, int position) {
    while (position < text.length() && isWhitespace(text.charAt(position))) {
      position++;
    }
    return position;
  }
}
