package org.medlake.query.sql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.medlake.core.contract.LabResults;

/**
 * Walks one statement of DuckDB's {@code json_serialize_sql} tree and refuses anything but a plain
 * query over allowed tables with allowed functions. Query nodes and table references are walked by
 * their known fields so that CTE names are scoped; every other field is walked generically, so a
 * field this class does not know about is still checked, and a query node or table reference met
 * where it is not expected is refused.
 */
final class ParseTreeValidator {
  private static final Set<String> QUERY_NODE_TYPES =
      Set.of(
          "SELECT_NODE",
          "SET_OPERATION_NODE",
          "CTE_NODE",
          "RECURSIVE_CTE_NODE",
          "BOUND_SUBQUERY_NODE",
          "STATEMENT_NODE",
          "INSERT_QUERY_NODE",
          "UPDATE_QUERY_NODE",
          "DELETE_QUERY_NODE",
          "MERGE_INTO_QUERY_NODE");
  private static final Set<String> TABLE_REFERENCE_TYPES =
      Set.of(
          "BASE_TABLE",
          "SUBQUERY",
          "JOIN",
          "TABLE_FUNCTION",
          "EXPRESSION_LIST",
          "CTE",
          "EMPTY",
          "EMPTY_FROM",
          "PIVOT",
          "SHOW_REF",
          "COLUMN_DATA",
          "DELIM_GET",
          "BOUND_TABLE_REF");
  private static final Set<String> EXPRESSION_CLASSES =
      Set.of(
          "CASE",
          "CAST",
          "COLUMN_REF",
          "COMPARISON",
          "CONJUNCTION",
          "CONSTANT",
          "FUNCTION",
          "OPERATOR",
          "STAR",
          "SUBQUERY",
          "WINDOW",
          "COLLATE",
          "LAMBDA",
          "POSITIONAL_REFERENCE",
          "BETWEEN");

  /**
   * Names the binder turns into calls (session user, catalog, schema, clock) when no column has
   * them: DuckDB's GetSQLValueFunctionName. They parse as COLUMN_REF, quoted or not.
   */
  private static final Set<String> VALUE_KEYWORDS =
      Set.of(
          "current_catalog",
          "current_date",
          "current_role",
          "current_schema",
          "current_time",
          "current_timestamp",
          "current_user",
          "localtime",
          "localtimestamp",
          "session_user",
          "user");

  /**
   * Schemas DuckDB's parser itself puts on built-in calls such as list_value, struct_pack and
   * date_part.
   */
  private static final Set<String> BUILT_IN_SCHEMAS = Set.of("", "main");

  private final Set<String> allowedTables;
  private final Map<String, String> withheldTables;
  private final Set<String> allowedFunctions;
  private final Set<String> tables = new LinkedHashSet<>();
  private int catalogueReferences;

  ParseTreeValidator(
      Set<String> allowedTables, Map<String, String> withheldTables, Set<String> allowedFunctions) {
    this.allowedTables = requireNonNull(allowedTables, "allowedTables is null");
    this.withheldTables = requireNonNull(withheldTables, "withheldTables is null");
    this.allowedFunctions = requireNonNull(allowedFunctions, "allowedFunctions is null");
  }

  /**
   * Checks a statement's root query node; throws {@link SqlRefusedException} on the first
   * violation.
   */
  void validate(JsonNode root) {
    query(root, Set.of());
  }

  /** Catalogue tables the statement reads, in order of appearance. */
  Set<String> tables() {
    return Set.copyOf(tables);
  }

  /** How many table references in the statement name a catalogue table (not a CTE). */
  int catalogueReferences() {
    return catalogueReferences;
  }

  private void query(JsonNode node, Set<String> scope) {
    String type = text(node, "type");
    switch (type) {
      case "SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE" -> {}
      case "RECURSIVE_CTE_NODE" -> throw new SqlRefusedException("Recursive CTEs are not allowed");
      default -> throw new SqlRefusedException("Query node " + type + " is not allowed");
    }
    Set<String> inner = commonTableExpressions(node.path("cte_map"), scope);
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      switch (type + "." + field.getKey()) {
        case "SELECT_NODE.type", "SET_OPERATION_NODE.type", "CTE_NODE.type" -> {}
        case "SELECT_NODE.cte_map", "SET_OPERATION_NODE.cte_map", "CTE_NODE.cte_map" -> {}
        case "SELECT_NODE.from_table" -> tableReference(value, inner);
        case "SET_OPERATION_NODE.left", "SET_OPERATION_NODE.right" -> query(value, inner);
        case "SET_OPERATION_NODE.children" -> value.forEach(child -> query(child, inner));
        case "CTE_NODE.query" ->
            query(value, definedBefore(node.path("cte_map"), text(node, "cte_name"), scope));
        case "CTE_NODE.child" -> query(value, inner);
        default -> expressions(value, inner);
      }
    }
  }

  /**
   * Checks each CTE body with the CTEs defined before it in scope; returns the scope for the body.
   */
  private Set<String> commonTableExpressions(JsonNode cteMap, Set<String> scope) {
    Set<String> current = new HashSet<>(scope);
    for (JsonNode entry : cteMap.path("map")) {
      JsonNode definition = entry.path("value");
      for (Map.Entry<String, JsonNode> field : definition.properties()) {
        if (field.getKey().equals("query")) {
          query(field.getValue().path("node"), Set.copyOf(current));
        } else {
          expressions(field.getValue(), Set.copyOf(current));
        }
      }
      current.add(lower(text(entry, "key")));
    }
    return Set.copyOf(current);
  }

  private static Set<String> definedBefore(JsonNode cteMap, String name, Set<String> scope) {
    Set<String> result = new HashSet<>(scope);
    for (JsonNode entry : cteMap.path("map")) {
      String key = lower(text(entry, "key"));
      if (key.equals(lower(name))) {
        return Set.copyOf(result);
      }
      result.add(key);
    }
    return Set.copyOf(scope);
  }

  private void tableReference(JsonNode node, Set<String> scope) {
    String type = text(node, "type");
    switch (type) {
      case "BASE_TABLE" -> baseTable(node, scope);
      case "EMPTY", "EMPTY_FROM", "JOIN", "SUBQUERY", "EXPRESSION_LIST" -> {}
      case "TABLE_FUNCTION" ->
          throw new SqlRefusedException(
              "Table functions are not allowed: " + text(node.path("function"), "function_name"));
      case "SHOW_REF" ->
          throw new SqlRefusedException("DESCRIBE, SHOW and SUMMARIZE are not allowed");
      default -> throw new SqlRefusedException("Table reference " + type + " is not allowed");
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      switch (type + "." + field.getKey()) {
        case "BASE_TABLE.type",
            "EMPTY.type",
            "EMPTY_FROM.type",
            "JOIN.type",
            "SUBQUERY.type",
            "EXPRESSION_LIST.type" -> {}
        case "JOIN.left", "JOIN.right" -> tableReference(field.getValue(), scope);
        case "SUBQUERY.subquery" -> query(field.getValue().path("node"), scope);
        default -> expressions(field.getValue(), scope);
      }
    }
  }

  private void baseTable(JsonNode node, Set<String> scope) {
    String table = text(node, "table_name");
    String schema = text(node, "schema_name");
    String catalog = text(node, "catalog_name");
    if (!catalog.isEmpty() || (!schema.isEmpty() && !lower(schema).equals(LabResults.NAMESPACE))) {
      throw new SqlRefusedException(
          "Table '"
              + qualified(catalog, schema, table)
              + "' is not allowed: name catalogue tables without a catalog, and in no schema or in"
              + " schema "
              + LabResults.NAMESPACE);
    }
    if (!schema.isEmpty()) {
      // the catalogue's own schema, as BI tools write it (medlake.lab_results): the statement runs
      // with the bare name, which is what the engine's views and the routed engine's default
      // schema provide
      ((ObjectNode) node).put("schema_name", "");
    }
    JsonNode at = node.path("at_clause");
    if (!at.isMissingNode() && !at.isNull()) {
      throw new SqlRefusedException("Time travel (AT ...) is not allowed on table '" + table + "'");
    }
    String name = lower(table);
    if (scope.contains(name)) {
      return;
    }
    if (!allowedTables.contains(name) && withheldTables.containsKey(name)) {
      throw new SqlRefusedException("Table '" + table + "' " + withheldTables.get(name));
    }
    if (!allowedTables.contains(name)) {
      throw new SqlRefusedException(
          "Table '"
              + table
              + "' is not in the catalogue (allowed: "
              + String.join(", ", new TreeSet<>(allowedTables))
              + ")");
    }
    tables.add(name);
    catalogueReferences++;
  }

  private void expressions(JsonNode node, Set<String> scope) {
    if (node.isArray()) {
      node.forEach(element -> expressions(element, scope));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    if (node.has("class")) {
      expression(node, scope);
      return;
    }
    String type = node.path("type").isTextual() ? node.path("type").asText() : "";
    if (QUERY_NODE_TYPES.contains(type) || TABLE_REFERENCE_TYPES.contains(type)) {
      throw new SqlRefusedException("Query structure " + type + " is not allowed here");
    }
    node.forEach(child -> expressions(child, scope));
  }

  private void expression(JsonNode node, Set<String> scope) {
    String expressionClass = text(node, "class");
    if (!EXPRESSION_CLASSES.contains(expressionClass)) {
      throw new SqlRefusedException("Expression " + expressionClass + " is not allowed");
    }
    switch (expressionClass) {
      case "FUNCTION", "WINDOW" -> function(node);
      case "COLUMN_REF" -> column(node);
      case "SUBQUERY" -> query(node.path("subquery").path("node"), scope);
      default -> {}
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!(expressionClass.equals("SUBQUERY") && field.getKey().equals("subquery"))) {
        expressions(field.getValue(), scope);
      }
    }
  }

  private void function(JsonNode node) {
    String name = text(node, "function_name");
    String schema = text(node, "schema");
    String catalog = text(node, "catalog");
    if (!catalog.isEmpty() || !BUILT_IN_SCHEMAS.contains(lower(schema))) {
      throw new SqlRefusedException(
          "Function '" + qualified(catalog, schema, name) + "' is not allowed");
    }
    if (!allowedFunctions.contains(lower(name))) {
      throw new SqlRefusedException("Function '" + name + "' is not allowed");
    }
    if (lower(name).equals("age") && node.path("children").size() < 2) {
      throw new SqlRefusedException(
          "Function 'age' with one argument is not allowed (it reads the clock)");
    }
    StringGrowth.check(node);
  }

  private static void column(JsonNode node) {
    JsonNode names = node.path("column_names");
    if (names.isEmpty()) {
      return;
    }
    String last = lower(names.get(names.size() - 1).asText());
    boolean bindableAsCall =
        names.size() == 1 || (names.size() == 2 && lower(names.get(0).asText()).equals("alias"));
    if (bindableAsCall && VALUE_KEYWORDS.contains(last)) {
      throw new SqlRefusedException("Function '" + last + "' is not allowed");
    }
  }

  private static String qualified(String catalog, String schema, String name) {
    return (catalog.isEmpty() ? "" : catalog + ".") + (schema.isEmpty() ? "" : schema + ".") + name;
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : "";
  }

  static String lower(String value) {
    return value.toLowerCase(Locale.ROOT);
  }
}
