package org.medlake.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.DashboardContent;
import org.medlake.platform.store.DashboardVisibility;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQueryCompiler;

/**
 * Reads and checks a dashboard as the API receives it (the DashboardDraft of openapi.json) and
 * turns it into what the store keeps: the name, the sharing, and a document holding the
 * description, the filters and the tiles. Every mistake is one line naming the property, e.g.
 * {@code tiles[2].chart.type}. A tile's structured query is compiled against the lab results table
 * and a predefined tile's query must exist, so that a saved dashboard's tiles can run.
 */
final class DashboardDrafts {
  static final int MAX_TILES = 24;
  static final List<String> CHART_TYPES =
      List.of("line", "bar", "box", "histogram", "table", "number");
  private static final Pattern TILE_ID = Pattern.compile("[a-z0-9-]{1,40}");
  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-[0-9]{2}");
  private static final List<String> DRAFT_PROPERTIES =
      List.of("name", "description", "sharing", "filters", "tiles", "base_version");
  static final List<String> FILTER_PROPERTIES =
      List.of("hospitals", "tests", "from_month", "to_month", "sex", "age_bands");
  private static final List<String> TILE_PROPERTIES =
      List.of("id", "title", "query", "predefined", "chart", "width");

  private final ObjectMapper json;
  private final StructuredQueryCompiler compiler;

  DashboardDrafts(ObjectMapper json, long maxRows) {
    this.json = json;
    this.compiler =
        new StructuredQueryCompiler(
            LabResults.CONTRACT, (int) Math.min(Integer.MAX_VALUE, maxRows));
  }

  /** The content to store for a draft body; {@code predefined} are the queries tiles may name. */
  DashboardContent content(JsonNode body, PredefinedQueries predefined) {
    known(body, "", DRAFT_PROPERTIES);
    String name = requiredText(body, "name");
    JsonNode description = body.path("description");
    if (!description.isMissingNode() && !description.isNull() && !description.isTextual()) {
      throw bad("description must be a string");
    }
    JsonNode sharing = requiredObject(body, "sharing");
    known(sharing, "sharing", List.of("visibility", "roles"));
    DashboardVisibility visibility;
    try {
      visibility = DashboardVisibility.parse(requiredText(sharing, "sharing.visibility"));
    } catch (MedlakeException e) {
      throw bad(e.getMessage());
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String role : strings(sharing.path("roles"), "sharing.roles", true)) {
      try {
        roles.add(Role.parse(role));
      } catch (MedlakeException e) {
        throw bad("sharing.roles: " + e.getMessage());
      }
    }
    ObjectNode filters = filters(requiredObject(body, "filters"), "filters");
    JsonNode tiles = body.path("tiles");
    if (!tiles.isArray()) {
      throw bad("tiles must be an array");
    }
    if (tiles.size() > MAX_TILES) {
      throw bad("tiles has " + tiles.size() + " entries (at most " + MAX_TILES + ")");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < tiles.size(); i++) {
      tile(tiles.get(i), "tiles[" + i + "]", ids, predefined);
    }
    ObjectNode document = json.createObjectNode();
    document.put("description", description.isTextual() ? description.asText() : "");
    document.set("filters", filters);
    document.set("tiles", tiles);
    try {
      return new DashboardContent(name, visibility, roles, json.writeValueAsString(document));
    } catch (MedlakeException e) {
      throw bad(e.getMessage());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a dashboard document", e);
    }
  }

  /** Checks dashboard filters (an object of DashboardFilters); the same object, checked. */
  ObjectNode filters(JsonNode filters, String path) {
    if (!filters.isObject()) {
      throw bad(path + " must be an object");
    }
    known(filters, path, FILTER_PROPERTIES);
    for (String list : List.of("hospitals", "tests", "sex", "age_bands")) {
      strings(filters.path(list), path + "." + list, false);
    }
    for (String band : strings(filters.path("age_bands"), path + ".age_bands", false)) {
      if (!StructuredQueryCompiler.AGE_BANDS.contains(band)) {
        throw bad(
            path
                + ".age_bands: '"
                + band
                + "' is not an age band ("
                + String.join(", ", StructuredQueryCompiler.AGE_BANDS)
                + ")");
      }
    }
    YearMonth from = month(filters, path, "from_month");
    YearMonth to = month(filters, path, "to_month");
    if (from != null && to != null && from.isAfter(to)) {
      throw bad(path + ".from_month " + from + " is after " + path + ".to_month " + to);
    }
    return (ObjectNode) filters;
  }

  private void tile(JsonNode tile, String path, Set<String> ids, PredefinedQueries predefined) {
    if (!tile.isObject()) {
      throw bad(path + " must be an object");
    }
    known(tile, path, TILE_PROPERTIES);
    String id = requiredText(tile, path + ".id", "id");
    if (!TILE_ID.matcher(id).matches()) {
      throw bad(path + ".id '" + id + "' must be 1 to 40 characters from a-z, 0-9 and '-'");
    }
    if (!ids.add(id)) {
      throw bad(path + ".id '" + id + "' is used by another tile");
    }
    requiredText(tile, path + ".title", "title");
    boolean structured = tile.has("query") && !tile.get("query").isNull();
    boolean named = tile.has("predefined") && !tile.get("predefined").isNull();
    if (structured == named) {
      throw bad(path + " needs exactly one of query (structured) and predefined");
    }
    if (structured) {
      try {
        compiler.compile(StructuredQueries.parse(json.writeValueAsString(tile.get("query"))));
      } catch (MedlakeException e) {
        throw bad(path + ".query: " + e.getMessage());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      JsonNode query = tile.get("predefined");
      if (!query.isObject()) {
        throw bad(path + ".predefined must be an object");
      }
      known(query, path + ".predefined", List.of("name", "parameters"));
      String name = requiredText(query, path + ".predefined.name", "name");
      try {
        predefined.find(name);
      } catch (MedlakeException e) {
        throw bad(path + ".predefined.name: " + e.getMessage());
      }
      JsonNode parameters = query.path("parameters");
      if (!parameters.isMissingNode() && !parameters.isObject()) {
        throw bad(path + ".predefined.parameters must be an object");
      }
    }
    JsonNode chart = tile.path("chart");
    if (!chart.isObject()) {
      throw bad(path + ".chart must be an object");
    }
    known(chart, path + ".chart", List.of("type", "measure", "options"));
    String type = requiredText(chart, path + ".chart.type", "type");
    if (!CHART_TYPES.contains(type)) {
      throw bad(
          path + ".chart.type '" + type + "' is not one of " + String.join(", ", CHART_TYPES));
    }
    if (chart.has("measure") && !chart.get("measure").isTextual()) {
      throw bad(path + ".chart.measure must be a string");
    }
    if (chart.has("options") && !chart.get("options").isObject()) {
      throw bad(path + ".chart.options must be an object");
    }
    JsonNode width = tile.path("width");
    if (!width.isMissingNode() && !(width.isInt() && (width.asInt() == 1 || width.asInt() == 2))) {
      throw bad(path + ".width must be 1 or 2");
    }
  }

  private static YearMonth month(JsonNode filters, String path, String field) {
    JsonNode value = filters.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || !MONTH.matcher(value.asText()).matches()) {
      throw bad(path + "." + field + " must be a month YYYY-MM");
    }
    try {
      return YearMonth.parse(value.asText());
    } catch (java.time.format.DateTimeParseException e) {
      throw bad(path + "." + field + " '" + value.asText() + "' is not a month");
    }
  }

  /** The strings of an array of strings; a missing or null one is empty unless required. */
  static List<String> strings(JsonNode array, String path, boolean required) {
    if (array.isMissingNode() || array.isNull()) {
      if (required) {
        throw bad(path + " is required");
      }
      return List.of();
    }
    if (!array.isArray()) {
      throw bad(path + " must be an array of strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode value : (ArrayNode) array) {
      if (!value.isTextual()) {
        throw bad(path + " must be an array of strings");
      }
      values.add(value.asText());
    }
    return values;
  }

  private static void known(JsonNode object, String path, List<String> properties) {
    Iterator<String> names = object.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!properties.contains(name)) {
        throw bad(
            "unknown property '"
                + name
                + "'"
                + (path.isEmpty() ? "" : " in " + path)
                + "; known properties: "
                + String.join(", ", properties));
      }
    }
  }

  private static JsonNode requiredObject(JsonNode body, String field) {
    JsonNode value = body.path(field);
    if (!value.isObject()) {
      throw bad(field + " is required and must be an object");
    }
    return value;
  }

  private static String requiredText(JsonNode body, String field) {
    return requiredText(body, field, field.substring(field.lastIndexOf('.') + 1));
  }

  private static String requiredText(JsonNode object, String path, String field) {
    JsonNode value = object.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      throw bad(path + " is required and must be a non-blank string");
    }
    return value.asText();
  }

  static MedlakeException bad(String message) {
    return new MedlakeException(ErrorCode.BAD_REQUEST, message);
  }
}
