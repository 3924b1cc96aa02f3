package org.medlake.query.engine;

/**
 * Turns the SQL the guard re-serialised from DuckDB's parse tree back into standard SQL for a JDBC
 * endpoint: DuckDB prints some syntax under internal names ({@code count_star()} for {@code
 * count(*)}, {@code ~~} for LIKE, {@code main.} before built-in functions). Only text outside
 * string literals and quoted identifiers is rewritten. Anything else DuckDB-specific reaches the
 * endpoint as it is, and the endpoint's own error comes back.
 */
final class PortableSql {
  private PortableSql() {}

  static String of(String duckDbSql) {
    StringBuilder out = new StringBuilder(duckDbSql.length());
    int i = 0;
    while (i < duckDbSql.length()) {
      char c = duckDbSql.charAt(i);
      if (c == '\'' || c == '"') {
        int end = closing(duckDbSql, i, c);
        out.append(duckDbSql, i, end);
        i = end;
      } else if (duckDbSql.startsWith("!~~", i)) {
        out.append("NOT LIKE");
        i += 3;
      } else if (duckDbSql.startsWith("~~", i)
          && !duckDbSql.startsWith("~~*", i)
          && !duckDbSql.startsWith("~~~", i)) {
        out.append("LIKE");
        i += 2;
      } else if (word(duckDbSql, i, "count_star()")) {
        out.append("count(*)");
        i += "count_star()".length();
      } else if (word(duckDbSql, i, "main.")) {
        i += "main.".length();
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /**
   * The index after the literal or quoted identifier that starts at {@code start}; a doubled quote
   * escapes it.
   */
  private static int closing(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  /** Whether {@code token} starts at {@code index} and is not the tail of a longer identifier. */
  private static boolean word(String sql, int index, String token) {
    if (!sql.regionMatches(true, index, token, 0, token.length())) {
      return false;
    }
    return index == 0
        || !(Character.isLetterOrDigit(sql.charAt(index - 1))
            || sql.charAt(index - 1) == '_'
            || sql.charAt(index - 1) == '.');
  }
}
