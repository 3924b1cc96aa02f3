package org.medlake.platform.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules for an event's details. Only numbers, booleans, short strings and small maps and lists
 * of those are accepted, so that result rows or SQL text (whose literals can hold patient keys)
 * cannot end up in the audit log.
 */
final class AuditDetails {
  static final int MAX_STRING_LENGTH = 200;
  static final int MAX_KEY_LENGTH = 64;
  static final int MAX_VALUES = 256;
  static final int MAX_DEPTH = 3;

  private AuditDetails() {}

  /**
   * An immutable copy with sorted keys and integers as {@code Long}, floating point numbers as
   * {@code Double}.
   */
  static Map<String, Object> copy(Map<String, ?> details) {
    int[] values = {0};
    return copyMap(details, 1, values);
  }

  static Map<String, Object> sqlFingerprint(String sql) {
    return Map.of("sql_sha256", sha256(sql), "sql_length", (long) sql.length());
  }

  private static Map<String, Object> copyMap(Map<?, ?> map, int depth, int[] values) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("audit details nest deeper than " + MAX_DEPTH + " levels");
    }
    TreeMap<String, Object> copy = new TreeMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)
          || key.isBlank()
          || key.length() > MAX_KEY_LENGTH) {
        throw new IllegalArgumentException(
            "audit detail keys must be non-blank strings of at most "
                + MAX_KEY_LENGTH
                + " characters (got "
                + describe(entry.getKey())
                + ")");
      }
      copy.put(key, copyValue(key, entry.getValue(), depth, values));
    }
    return Collections.unmodifiableMap(copy);
  }

  private static Object copyValue(String key, Object value, int depth, int[] values) {
    if (value instanceof Map<?, ?> map) {
      return copyMap(map, depth + 1, values);
    }
    if (value instanceof List<?> list) {
      if (depth + 1 > MAX_DEPTH) {
        throw new IllegalArgumentException(
            "audit details nest deeper than " + MAX_DEPTH + " levels");
      }
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(copyValue(key, element, depth + 1, values));
      }
      return List.copyOf(copy);
    }
    if (++values[0] > MAX_VALUES) {
      throw new IllegalArgumentException("audit details hold more than " + MAX_VALUES + " values");
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (!Double.isFinite(number)) {
        throw new IllegalArgumentException(
            "audit detail '" + key + "' is not a finite number (got " + number + ")");
      }
      return number;
    }
    if (value instanceof Boolean) {
      return value;
    }
    if (value instanceof String text) {
      if (text.length() > MAX_STRING_LENGTH) {
        throw new IllegalArgumentException(
            "audit detail '"
                + key
                + "' is a string of "
                + text.length()
                + " characters (at most "
                + MAX_STRING_LENGTH
                + ")");
      }
      return text;
    }
    throw new IllegalArgumentException(
        "audit detail '"
            + key
            + "' must be a number, boolean, short string, map or list (got "
            + describe(value)
            + ")");
  }

  private static String describe(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
