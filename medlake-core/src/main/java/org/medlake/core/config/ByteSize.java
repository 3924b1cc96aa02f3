package org.medlake.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Sizes written like {@code 512MB}, {@code 10GB}, {@code 1TB} (powers of 1000) or {@code 2GiB}
 * (powers of 1024).
 */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|PB|KIB|MIB|GIB|TIB|PIB)?\\s*");

  private ByteSize() {}

  public static long parse(String key, String text) {
    Matcher matcher = SIZE.matcher(text == null ? "" : text);
    if (!matcher.matches()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, key + " must be a size like 10GB, not '" + text + "'");
    }
    String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
    double base = unit.endsWith("IB") ? 1024 : 1000;
    int power = unit.equals("B") ? 0 : "KMGTP".indexOf(unit.charAt(0)) + 1;
    return (long) (Double.parseDouble(matcher.group(1)) * Math.pow(base, power));
  }

  public static String format(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
