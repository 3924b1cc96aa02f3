package org.medlake.query.sql;

import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.toUnmodifiableMap;
import static java.util.stream.Collectors.toUnmodifiableSet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.medlake.query.plan.PruningPredicate;

/**
 * Admits an analyst's ad-hoc SQL only if DuckDB's own parser reads it as a single plain query over
 * catalogue tables that calls only allowlisted functions, and hands back the statement
 * re-serialised from the checked parse tree. This is the first of several layers (see DESIGN.md,
 * "Untrusted SQL"); the query database's settings, budgets and row caps still apply.
 */
public final class SqlGuard {
  /** Longer text is refused before it reaches the parser. */
  public static final int MAX_SQL_LENGTH = 100_000;

  private final Set<String> allowedTables;
  private final Map<String, String> withheldTables;
  private final Set<String> allowedFunctions;

  public SqlGuard(Set<String> allowedTables, Set<String> allowedFunctions) {
    this(allowedTables, Map.of(), allowedFunctions);
  }

  /**
   * @param withheldTables catalogue tables the caller may not read, each with the reason a refusal
   *     gives after the table's name (e.g. {@code is readable by admins only}); other unknown
   *     tables are refused as not in the catalogue
   */
  public SqlGuard(
      Set<String> allowedTables, Map<String, String> withheldTables, Set<String> allowedFunctions) {
    this.allowedTables = lowerCase(requireNonNull(allowedTables, "allowedTables is null"));
    this.withheldTables =
        requireNonNull(withheldTables, "withheldTables is null").entrySet().stream()
            .collect(
                toUnmodifiableMap(
                    entry -> entry.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    this.allowedFunctions = lowerCase(requireNonNull(allowedFunctions, "allowedFunctions is null"));
  }

  /**
   * Aggregates, window functions, and scalar math, string and date functions an analysis needs,
   * including the operator names ({@code +}, {@code ~~} for LIKE, ...) and the internal names
   * DuckDB's parser rewrites syntax into ({@code count_star}, {@code date_part}, {@code
   * list_value}). Nothing that reads files, URLs, settings, the catalog, the environment or the
   * clock.
   */
  public static Set<String> defaultFunctions() {
    return DefaultFunctions.NAMES;
  }

  /**
   * Checks {@code sql} and returns the statement to run.
   *
   * @throws SqlRefusedException naming the first thing refused
   */
  public GuardedSql check(String sql) {
    requireNonNull(sql, "sql is null");
    if (sql.length() > MAX_SQL_LENGTH) {
      throw new SqlRefusedException(
          "Query is too long (" + sql.length() + " characters, at most " + MAX_SQL_LENGTH + ")");
    }
    if (sql.isBlank()) {
      throw new SqlRefusedException("Query is empty");
    }
    DuckDbParser parser = DuckDbParser.shared();
    // one parser for the process: opening a DuckDB per check cost 11-25 ms, more than the check
    synchronized (parser) {
      JsonNode tree = parser.serialize(sql);
      JsonNode statement = singleSelect(tree);
      ParseTreeValidator validator =
          new ParseTreeValidator(allowedTables, withheldTables, allowedFunctions);
      validator.validate(statement.path("node"));
      List<PruningPredicate> predicates =
          PredicateExtractor.extract(
              statement.path("node"), allowedTables, validator.catalogueReferences());

      String executable = parser.deserialize(tree);
      // Check the text that will actually run as well: a printing quirk must not smuggle anything
      // in.
      JsonNode reparsed = singleSelect(parser.serialize(executable));
      ParseTreeValidator revalidator =
          new ParseTreeValidator(allowedTables, withheldTables, allowedFunctions);
      revalidator.validate(reparsed.path("node"));
      if (!revalidator.tables().equals(validator.tables())) {
        throw new SqlRefusedException(
            "Query cannot be checked: its tables change when it is re-serialised");
      }
      return new GuardedSql(executable, validator.tables(), predicates);
    }
  }

  private static JsonNode singleSelect(JsonNode tree) {
    if (tree.path("error").asBoolean(false)) {
      throw new SqlRefusedException(parseError(tree));
    }
    JsonNode statements = tree.path("statements");
    if (statements.size() != 1) {
      throw new SqlRefusedException(
          "Only a single SELECT is allowed (found " + statements.size() + " statements)");
    }
    return statements.get(0);
  }

  private static String parseError(JsonNode tree) {
    String message = DuckDbParser.firstLine(ParseTreeValidator.text(tree, "error_message"));
    String type = ParseTreeValidator.text(tree, "error_type");
    if (message.startsWith("Only SELECT statements")) {
      return "Only a single SELECT is allowed (found a statement that is not a SELECT)";
    }
    if (message.startsWith("SELECT INTO")) {
      return "SELECT ... INTO is not allowed";
    }
    if (type.equals("parser")) {
      return "Syntax error: " + message;
    }
    return "Query refused by the parser: " + message;
  }

  private static Set<String> lowerCase(Set<String> names) {
    return names.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(toUnmodifiableSet());
  }
}
