package org.medlake.testkit.generate;

import java.time.LocalDateTime;

/**
 * Locale-free formatting for the hot loop: String.format and DateTimeFormatter would dominate the
 * cost of a million-row file.
 */
final class TextFormat {
  private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

  private TextFormat() {}

  static double round(double value, int decimals) {
    long scale = POWERS_OF_TEN[decimals];
    return Math.round(value * scale) / (double) scale;
  }

  static String decimal(double value, int decimals, char separator) {
    long scale = POWERS_OF_TEN[decimals];
    long scaled = Math.round(value * scale);
    StringBuilder text = new StringBuilder(12);
    if (scaled < 0) {
      text.append('-');
      scaled = -scaled;
    }
    text.append(scaled / scale);
    if (decimals > 0) {
      text.append(separator);
      String fraction = Long.toString(scaled % scale);
      for (int i = fraction.length(); i < decimals; i++) {
        text.append('0');
      }
      text.append(fraction);
    }
    return text.toString();
  }

  /** {@code 2024-01-15 08:30:00}, or with {@code T} as the separator. */
  static String isoTimestamp(LocalDateTime time, char separator) {
    StringBuilder text = new StringBuilder(19);
    padded(text, time.getYear(), 4).append('-');
    padded(text, time.getMonthValue(), 2).append('-');
    padded(text, time.getDayOfMonth(), 2).append(separator);
    padded(text, time.getHour(), 2).append(':');
    padded(text, time.getMinute(), 2).append(':');
    return padded(text, time.getSecond(), 2).toString();
  }

  /** {@code 15.01.2024 08:30}. */
  static String germanTimestamp(LocalDateTime time) {
    StringBuilder text = new StringBuilder(16);
    padded(text, time.getDayOfMonth(), 2).append('.');
    padded(text, time.getMonthValue(), 2).append('.');
    padded(text, time.getYear(), 4).append(' ');
    padded(text, time.getHour(), 2).append(':');
    return padded(text, time.getMinute(), 2).toString();
  }

  /** {@code 01/15/2024 08:30:00}: month first, as US exports write it. */
  static String usTimestamp(LocalDateTime time) {
    StringBuilder text = new StringBuilder(19);
    padded(text, time.getMonthValue(), 2).append('/');
    padded(text, time.getDayOfMonth(), 2).append('/');
    padded(text, time.getYear(), 4).append(' ');
    padded(text, time.getHour(), 2).append(':');
    padded(text, time.getMinute(), 2).append(':');
    return padded(text, time.getSecond(), 2).toString();
  }

  static StringBuilder padded(StringBuilder text, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      text.append('0');
    }
    return text.append(digits);
  }
}
