package org.medlake.query.sql;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Bounds the functions that make a string longer than their input. DuckDB's {@code memory_limit}
 * does not cover the strings a scalar function builds: {@code SELECT lpad('x', 2000000000, 'y')}
 * peaked at 7.9 GB resident under a 1 GB limit (measured, DuckDB 1.4.4), and nested {@code replace}
 * calls grow the same way. So, before anything runs: {@code lpad}/{@code rpad} need a constant
 * width of at most {@link #MAX_PAD_WIDTH} (their result is then at most that long, whatever the
 * input); {@code replace}/{@code regexp_replace} need a constant replacement, and the factor by
 * which nested calls can grow a string (at most {@code replacement length + 1} per call) must stay
 * within {@link #MAX_GROWTH}.
 */
final class StringGrowth {
  /** Widest {@code lpad}/{@code rpad} result. */
  static final long MAX_PAD_WIDTH = 10_000;

  /** Largest factor by which nested replacements may lengthen a string. */
  static final long MAX_GROWTH = 1_000;

  private StringGrowth() {}

  /** Checks one call of the parse tree (its arguments are checked as calls of their own). */
  static void check(JsonNode call) {
    String name = call.path("function_name").asText("").toLowerCase(Locale.ROOT);
    switch (name) {
      case "lpad", "rpad" -> padWidth(name, call.path("children").path(1));
      case "replace", "regexp_replace" -> growth(call);
      default -> {}
    }
  }

  private static void padWidth(String name, JsonNode width) {
    JsonNode value = width.path("value");
    boolean constant =
        width.path("class").asText("").equals("CONSTANT")
            && !value.path("is_null").asBoolean(false)
            && value.path("value").isIntegralNumber();
    if (!constant) {
      throw new QueryLimitException(
          "Function '"
              + name
              + "' needs a constant width (a number of at most "
              + MAX_PAD_WIDTH
              + ")");
    }
    long characters = value.path("value").asLong();
    if (characters > MAX_PAD_WIDTH) {
      throw new QueryLimitException(
          "Function '"
              + name
              + "' width "
              + characters
              + " is over the limit of "
              + MAX_PAD_WIDTH
              + " characters");
    }
  }

  private static void growth(JsonNode call) {
    long factor = factor(call);
    if (factor > MAX_GROWTH) {
      throw new QueryLimitException(
          "Nested replace/regexp_replace calls can lengthen a string "
              + factor
              + " times, over the limit of "
              + MAX_GROWTH
              + " (use shorter replacements or fewer nested calls)");
    }
  }

  /**
   * How many times {@code node} can be longer than the strings it reads (1 for anything that is not
   * a replacement).
   */
  private static long factor(JsonNode node) {
    String name = node.path("function_name").asText("").toLowerCase(Locale.ROOT);
    if (!node.path("class").asText("").equals("FUNCTION")
        || !(name.equals("replace") || name.equals("regexp_replace"))) {
      return 1;
    }
    JsonNode replacement = node.path("children").path(2);
    JsonNode value = replacement.path("value");
    if (!replacement.path("class").asText("").equals("CONSTANT")
        || !value.path("value").isTextual()) {
      throw new QueryLimitException("Function '" + name + "' needs a constant replacement text");
    }
    long own = value.path("value").asText().length() + 1L;
    long inner = factor(node.path("children").path(0));
    return Math.min(Long.MAX_VALUE / 2, own * inner);
  }

  /** A refusal of a query that would need more resources than a query may have. */
  static final class QueryLimitException extends SqlRefusedException {
    QueryLimitException(String message) {
      super(org.medlake.core.error.ErrorCode.QUERY_LIMIT_EXCEEDED, message);
    }
  }
}
