package org.medlake.query.sql;

import static org.medlake.query.sql.ParseTreeValidator.lower;
import static org.medlake.query.sql.ParseTreeValidator.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.plan.PruningPredicate.Operator;

/**
 * Pruning predicates from a validated statement: the AND-ed comparisons of a prunable column with
 * constants in the WHERE of the outermost SELECT, when that SELECT reads one catalogue table and
 * the statement reads no other catalogue table anywhere (a second read of the table, in a subquery
 * say, must not be pruned by the outer filter). Anything not understood contributes nothing, so the
 * result is never stricter than the query.
 */
final class PredicateExtractor {
  private static final String COLLECTED_AT = "collected_at";
  // at most microseconds, DuckDB's TIMESTAMP precision: a finer value would be truncated by DuckDB
  // and
  // the predicate would be stricter than the query
  private static final Pattern TIMESTAMP_TEXT =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?");
  private static final Pattern DATE_TEXT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private PredicateExtractor() {}

  static List<PruningPredicate> extract(
      JsonNode root, Set<String> allowedTables, int catalogueReferences) {
    if (catalogueReferences != 1 || !text(root, "type").equals("SELECT_NODE")) {
      return List.of();
    }
    JsonNode from = root.path("from_table");
    String table = lower(text(from, "table_name"));
    if (!text(from, "type").equals("BASE_TABLE")
        || !allowedTables.contains(table)
        || cteNames(root).contains(table)) {
      return List.of();
    }
    JsonNode where = root.path("where_clause");
    if (where.isMissingNode() || where.isNull()) {
      return List.of();
    }
    String alias = lower(text(from, "alias"));
    Set<String> qualifiers = Set.of(alias.isEmpty() ? table : alias);
    // DuckDB may bind a WHERE name to a select-list alias; leave such names alone
    Set<String> shadowed = new HashSet<>();
    root.path("select_list").forEach(item -> shadowed.add(lower(text(item, "alias"))));
    Columns columns = new Columns(qualifiers, shadowed);

    List<PruningPredicate> predicates = new ArrayList<>();
    for (JsonNode conjunct : conjuncts(where)) {
      predicate(conjunct, columns).ifPresent(predicates::add);
    }
    return predicates;
  }

  private static Set<String> cteNames(JsonNode root) {
    Set<String> names = new HashSet<>();
    root.path("cte_map").path("map").forEach(entry -> names.add(lower(text(entry, "key"))));
    return names;
  }

  private static List<JsonNode> conjuncts(JsonNode expression) {
    if (!text(expression, "type").equals("CONJUNCTION_AND")) {
      return List.of(expression);
    }
    List<JsonNode> result = new ArrayList<>();
    expression.path("children").forEach(child -> result.addAll(conjuncts(child)));
    return result;
  }

  private static Optional<PruningPredicate> predicate(JsonNode expression, Columns columns) {
    String type = text(expression, "type");
    switch (type) {
      case "COMPARE_EQUAL",
          "COMPARE_LESSTHAN",
          "COMPARE_LESSTHANOREQUALTO",
          "COMPARE_GREATERTHAN",
          "COMPARE_GREATERTHANOREQUALTO" -> {
        JsonNode left = expression.path("left");
        JsonNode right = expression.path("right");
        if (columns.prunable(left).isPresent()) {
          return comparison(columns.prunable(left).get(), operator(type, false), right);
        }
        return columns
            .prunable(right)
            .flatMap(column -> comparison(column, operator(type, true), left));
      }
      case "COMPARE_BETWEEN" -> {
        return columns
            .prunable(expression.path("input"))
            .flatMap(
                column ->
                    constant(column, expression.path("lower"))
                        .flatMap(
                            lower ->
                                constant(column, expression.path("upper"))
                                    .map(
                                        upper ->
                                            new PruningPredicate(
                                                column, Operator.BETWEEN, List.of(lower, upper)))));
      }
      case "COMPARE_IN" -> {
        JsonNode children = expression.path("children");
        Optional<String> column = columns.prunable(children.path(0));
        if (column.isEmpty() || children.size() < 2) {
          return Optional.empty();
        }
        List<Object> values = new ArrayList<>();
        for (int i = 1; i < children.size(); i++) {
          Optional<Object> value = constant(column.get(), children.get(i));
          if (value.isEmpty()) {
            return Optional.empty();
          }
          values.add(value.get());
        }
        return Optional.of(new PruningPredicate(column.get(), Operator.IN, values));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static Optional<PruningPredicate> comparison(
      String column, Operator operator, JsonNode constant) {
    return constant(column, constant)
        .map(value -> new PruningPredicate(column, operator, List.of(value)));
  }

  private static Operator operator(String comparison, boolean flipped) {
    return switch (comparison) {
      case "COMPARE_EQUAL" -> Operator.EQUAL;
      case "COMPARE_LESSTHAN" -> flipped ? Operator.GREATER_THAN : Operator.LESS_THAN;
      case "COMPARE_LESSTHANOREQUALTO" ->
          flipped ? Operator.GREATER_THAN_OR_EQUAL : Operator.LESS_THAN_OR_EQUAL;
      case "COMPARE_GREATERTHAN" -> flipped ? Operator.LESS_THAN : Operator.GREATER_THAN;
      case "COMPARE_GREATERTHANOREQUALTO" ->
          flipped ? Operator.LESS_THAN_OR_EQUAL : Operator.GREATER_THAN_OR_EQUAL;
      default -> throw new IllegalArgumentException("Not a comparison: " + comparison);
    };
  }

  /**
   * A string constant for a string column; a LocalDateTime for collected_at (dates at midnight).
   */
  private static Optional<Object> constant(String column, JsonNode expression) {
    if (!column.equals(COLLECTED_AT)) {
      return stringConstant(expression).map(Object.class::cast);
    }
    if (text(expression, "class").equals("CAST") && !expression.path("try_cast").asBoolean(false)) {
      String target = text(expression.path("cast_type"), "id");
      Optional<String> literal = stringConstant(expression.path("child"));
      return switch (target) {
        case "DATE" ->
            literal
                .filter(value -> DATE_TEXT.matcher(value).matches())
                .flatMap(PredicateExtractor::timestamp);
        case "TIMESTAMP" -> literal.flatMap(PredicateExtractor::timestamp);
        default -> Optional.empty();
      };
    }
    return stringConstant(expression).flatMap(PredicateExtractor::timestamp);
  }

  private static Optional<String> stringConstant(JsonNode expression) {
    JsonNode value = expression.path("value");
    if (!text(expression, "type").equals("VALUE_CONSTANT")
        || value.path("is_null").asBoolean(true)
        || !text(value.path("type"), "id").equals("VARCHAR")
        || !value.path("value").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(value.path("value").asText());
  }

  private static Optional<Object> timestamp(String text) {
    String value = text.strip();
    if (!TIMESTAMP_TEXT.matcher(value).matches()) {
      return Optional.empty();
    }
    try {
      if (value.length() == 10) {
        return Optional.of(LocalDate.parse(value).atStartOfDay());
      }
      String iso = value.replace(' ', 'T');
      return Optional.of(LocalDateTime.parse(iso.length() == 16 ? iso + ":00" : iso));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private record Columns(Set<String> qualifiers, Set<String> shadowed) {
    Optional<String> prunable(JsonNode expression) {
      if (!text(expression, "class").equals("COLUMN_REF")) {
        return Optional.empty();
      }
      JsonNode names = expression.path("column_names");
      if (names.size() == 2 && !qualifiers.contains(lower(names.get(0).asText()))) {
        return Optional.empty();
      }
      if (names.size() != 1 && names.size() != 2) {
        return Optional.empty();
      }
      String column = lower(names.get(names.size() - 1).asText());
      if (!PruningPredicate.PRUNABLE_COLUMNS.contains(column) || shadowed.contains(column)) {
        return Optional.empty();
      }
      return Optional.of(column);
    }
  }
}
