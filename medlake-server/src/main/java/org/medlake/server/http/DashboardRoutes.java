package org.medlake.server.http;

import static java.util.Objects.requireNonNull;
import static org.medlake.server.http.RequestBodies.body;
import static org.medlake.server.http.RequestBodies.bodyBytes;
import static org.medlake.server.http.RequestBodies.isBlank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.DashboardContent;
import org.medlake.platform.store.DashboardStore;
import org.medlake.platform.store.SavedDashboard;
import org.medlake.platform.store.User;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.predefined.QueryParameter;
import org.medlake.query.structured.FilterOperator;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQuery;

/**
 * Saved dashboards (docs/api.md, Dashboards). Everyone but uploaders sees the dashboards they own,
 * every dashboard if they are admins, and those shared with their role; a dashboard they may not
 * see is answered as one that does not exist. Analysts and admins save dashboards; only the owner
 * or an admin changes, deletes or restores one, each an audited admin action. A tile runs through
 * the very path of /query or /queries/{name}/run ({@link QueryRoutes#answerStructured}, {@link
 * QueryRoutes#answerPredefined}) with the dashboard's filters merged into its query, so roles,
 * budgets, the result cache, suppression and the audit apply to it as to those.
 */
final class DashboardRoutes {
  private static final String DASHBOARD = "/api/v1/dashboards/{id}";

  private final ServerServices services;
  private final ObjectMapper json;
  private final QueryRoutes queries;
  private final DashboardDrafts drafts;
  private final DashboardStore store;

  DashboardRoutes(ServerServices services, ObjectMapper json, QueryRoutes queries) {
    this.services = requireNonNull(services, "services is null");
    this.json = requireNonNull(json, "json is null");
    this.queries = requireNonNull(queries, "queries is null");
    this.drafts = new DashboardDrafts(json, services.home.config().query().maxRows());
    this.store = services.platform.dashboards();
  }

  void register(Javalin app) {
    app.get(
        "/api/v1/dashboards",
        context -> {
          User user = reader(context);
          ArrayNode summaries = json.createArrayNode();
          store.list().stream()
              .filter(dashboard -> dashboard.visibleTo(user))
              .forEach(dashboard -> summaries.add(summary(dashboard)));
          context.json(summaries);
        });
    app.post("/api/v1/dashboards", this::create);
    app.get(DASHBOARD, context -> context.json(dashboard(visible(context, reader(context)))));
    app.put(DASHBOARD, this::update);
    app.delete(DASHBOARD, this::delete);
    app.get(
        DASHBOARD + "/versions",
        context -> {
          SavedDashboard dashboard = visible(context, reader(context));
          ArrayNode versions = json.createArrayNode();
          store.versions(dashboard.id()).forEach(version -> versions.add(version(version)));
          context.json(versions);
        });
    app.get(
        DASHBOARD + "/versions/{version}",
        context -> {
          SavedDashboard dashboard = visible(context, reader(context));
          int version = version(context);
          context.json(
              dashboard(
                  store
                      .find(dashboard.id(), version)
                      .orElseThrow(
                          () ->
                              new NotFoundException(
                                  "dashboard " + dashboard.id() + " has no version " + version))));
        });
    app.post(DASHBOARD + "/versions/{version}/restore", this::restore);
    app.post(DASHBOARD + "/tiles/{tile}/run", this::runTile);
  }

  private void create(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.DASHBOARD, "save dashboard");
    User user = Caller.require(context, Role.ADMIN, Role.ANALYST);
    DashboardContent content = drafts.content(body(context), services.predefined());
    SavedDashboard saved = store.create(user.name(), content);
    audited(context, "save dashboard", saved);
    context.status(201).json(dashboard(saved));
  }

  private void update(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.DASHBOARD, "save dashboard " + context.pathParam("id"));
    User user = Caller.require(context, Role.ADMIN, Role.ANALYST);
    SavedDashboard current = editable(context, user);
    JsonNode body = body(context);
    JsonNode base = body.path("base_version");
    if (!base.canConvertToInt() || !base.isIntegralNumber()) {
      throw DashboardDrafts.bad(
          "base_version is required: the version this edit started from (now "
              + current.version()
              + ")");
    }
    DashboardContent content = drafts.content(body, services.predefined());
    SavedDashboard saved = store.update(current.id(), base.asInt(), user.name(), content);
    audited(context, "save dashboard", saved);
    context.json(dashboard(saved));
  }

  private void delete(Context context) {
    AuditTrail.mark(context, AuditAction.DASHBOARD, "delete dashboard " + context.pathParam("id"));
    User user = Caller.require(context, Role.ADMIN, Role.ANALYST);
    SavedDashboard current = editable(context, user);
    store.delete(current.id());
    AuditTrail.detail(context, "dashboard_id", current.id());
    AuditTrail.detail(context, "version", current.version());
    context.status(204);
  }

  private void restore(Context context) {
    AuditTrail.mark(
        context,
        AuditAction.DASHBOARD,
        "restore dashboard "
            + context.pathParam("id")
            + " version "
            + context.pathParam("version"));
    User user = Caller.require(context, Role.ADMIN, Role.ANALYST);
    SavedDashboard current = editable(context, user);
    int version = version(context);
    SavedDashboard saved = store.restore(current.id(), version, user.name());
    audited(context, "restore dashboard", saved);
    AuditTrail.detail(context, "restored_from", version);
    context.json(dashboard(saved));
  }

  private static void audited(Context context, String action, SavedDashboard saved) {
    AuditTrail.mark(context, AuditAction.DASHBOARD, action + " " + saved.id());
    AuditTrail.detail(context, "dashboard_id", saved.id());
    AuditTrail.detail(context, "version", saved.version());
  }

  /**
   * Runs one tile: its query with the request's filters, or else the dashboard's, merged in; the
   * answer and the audit event are those of /query or /queries/{name}/run for that query, with the
   * dashboard and tile in the event's details.
   */
  private void runTile(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.QUERY, "dashboard");
    User user = reader(context);
    SavedDashboard dashboard = visible(context, user);
    String tileId = context.pathParam("tile");
    JsonNode document = json.readTree(dashboard.content().document());
    JsonNode tile = null;
    for (JsonNode candidate : document.path("tiles")) {
      if (candidate.path("id").asText().equals(tileId)) {
        tile = candidate;
      }
    }
    if (tile == null) {
      throw new NotFoundException("dashboard " + dashboard.id() + " has no tile '" + tileId + "'");
    }
    byte[] bytes = bodyBytes(context);
    JsonNode body = isBlank(bytes) ? json.createObjectNode() : body(bytes);
    JsonNode requested = body.path("filters");
    JsonNode filters =
        requested.isMissingNode() || requested.isNull()
            ? document.path("filters")
            : drafts.filters(requested, "filters");
    AuditTrail.detail(context, "dashboard_id", dashboard.id());
    AuditTrail.detail(context, "dashboard_version", dashboard.version());
    AuditTrail.detail(context, "tile", tileId);
    ObjectNode request = json.createObjectNode();
    if (body.has("as_of")) {
      request.set("as_of", body.get("as_of"));
    }
    if (body.has("dry_run")) {
      request.set("dry_run", body.get("dry_run"));
    }
    if (tile.hasNonNull("query")) {
      AuditTrail.mark(context, AuditAction.QUERY, "structured");
      StructuredQuery query =
          withFilters(StructuredQueries.parse(json.writeValueAsString(tile.get("query"))), filters);
      queries.answerStructured(context, query, request);
    } else {
      String name = tile.path("predefined").path("name").asText();
      AuditTrail.mark(context, AuditAction.QUERY, "predefined:" + name);
      PredefinedQuery query = services.predefined().find(name);
      request.set("parameters", parameters(query, tile, filters));
      queries.answerPredefined(context, name, request);
    }
  }

  /** The tile's structured query with the dashboard filters added to its own (all must hold). */
  static StructuredQuery withFilters(StructuredQuery query, JsonNode filters) {
    List<StructuredQuery.Filter> merged = new ArrayList<>(query.filters());
    addIn(merged, "hospital_id", filters.path("hospitals"));
    addIn(merged, "test_code", filters.path("tests"));
    addIn(merged, "patient_sex", filters.path("sex"));
    if (filters.hasNonNull("from_month")) {
      merged.add(
          StructuredQuery.Filter.of(
              "collected_at", FilterOperator.GREATER_THAN_OR_EQUAL, firstDay(filters)));
    }
    if (filters.hasNonNull("to_month")) {
      merged.add(
          StructuredQuery.Filter.of("collected_at", FilterOperator.LESS_THAN, dayAfter(filters)));
    }
    // the age band at collection, as the age_band bucket names the bands
    addIn(merged, "age_band", filters.path("age_bands"));
    return new StructuredQuery(
        query.table(),
        merged,
        query.groupBy(),
        query.aggregates(),
        query.columns(),
        query.orderBy(),
        query.limit());
  }

  /** The first day of the period: the first day of {@code from_month}. */
  private static String firstDay(JsonNode filters) {
    return YearMonth.parse(filters.get("from_month").asText()).atDay(1).toString();
  }

  /**
   * The end of the period, exclusive as the predefined queries' {@code to} and the structured
   * filter take it: the first day after {@code to_month}.
   */
  private static String dayAfter(JsonNode filters) {
    return YearMonth.parse(filters.get("to_month").asText()).plusMonths(1).atDay(1).toString();
  }

  private static void addIn(List<StructuredQuery.Filter> filters, String column, JsonNode values) {
    List<String> list = DashboardDrafts.strings(values, column, false);
    if (!list.isEmpty()) {
      filters.add(new StructuredQuery.Filter(column, FilterOperator.IN, List.copyOf(list)));
    }
  }

  /**
   * The tile's parameters with the dashboard filters set on the query's parameters of the same
   * meaning: hospitals, tests (or test, for one test), from and to (first day of from_month, first
   * day after to_month). A filter the query has no parameter for refuses the run (400) rather than
   * answering unfiltered.
   */
  private ObjectNode parameters(PredefinedQuery query, JsonNode tile, JsonNode filters) {
    ObjectNode parameters = json.createObjectNode();
    JsonNode own = tile.path("predefined").path("parameters");
    if (own.isObject()) {
      parameters.setAll((ObjectNode) own);
    }
    List<String> declared = query.parameters().stream().map(QueryParameter::name).toList();
    List<String> hospitals = DashboardDrafts.strings(filters.path("hospitals"), "hospitals", false);
    if (!hospitals.isEmpty()) {
      parameters.set(
          "hospitals", array(need(query, declared, "hospitals", "hospitals"), hospitals));
    }
    List<String> tests = DashboardDrafts.strings(filters.path("tests"), "tests", false);
    if (!tests.isEmpty()) {
      if (declared.contains("tests")) {
        parameters.set("tests", array("tests", tests));
      } else if (declared.contains("test") && tests.size() == 1) {
        parameters.put("test", tests.get(0));
      } else {
        throw unsupported(
            query,
            "tests",
            declared.contains("test") ? "it takes one test, the filter names " + tests.size() : "");
      }
    }
    if (filters.hasNonNull("from_month")) {
      need(query, declared, "from_month", "from");
      parameters.put("from", firstDay(filters));
    }
    if (filters.hasNonNull("to_month")) {
      need(query, declared, "to_month", "to");
      parameters.put("to", dayAfter(filters));
    }
    for (String field : List.of("sex", "age_bands")) {
      if (!DashboardDrafts.strings(filters.path(field), field, false).isEmpty()) {
        throw unsupported(query, field, "");
      }
    }
    return parameters;
  }

  private static String need(
      PredefinedQuery query, List<String> declared, String filter, String parameter) {
    if (!declared.contains(parameter)) {
      throw unsupported(query, filter, "");
    }
    return parameter;
  }

  private static org.medlake.core.error.MedlakeException unsupported(
      PredefinedQuery query, String filter, String why) {
    return DashboardDrafts.bad(
        "filters."
            + filter
            + ": predefined query '"
            + query.name()
            + "' cannot be filtered by it"
            + (why.isEmpty() ? " (it has no parameter for it)" : " (" + why + ")")
            + "; clear the filter or use a structured query tile");
  }

  private ArrayNode array(String name, List<String> values) {
    ArrayNode array = json.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private static User reader(Context context) {
    return Caller.require(context, Role.ADMIN, Role.ANALYST, Role.VIEWER);
  }

  /** The current version of the path's dashboard, if the user may see it; else 404. */
  private SavedDashboard visible(Context context, User user) {
    long id = id(context);
    return store
        .find(id)
        .filter(dashboard -> dashboard.visibleTo(user))
        .orElseThrow(() -> new NotFoundException("dashboard " + id + " does not exist"));
  }

  /** The path's dashboard, if the user may change it: 404 if unseen, 403 if only seen. */
  private SavedDashboard editable(Context context, User user) {
    SavedDashboard dashboard = visible(context, user);
    if (!dashboard.editableBy(user)) {
      throw ApiErrors.forbidden(
          "Only its owner "
              + dashboard.owner()
              + " or an admin may change dashboard "
              + dashboard.id());
    }
    return dashboard;
  }

  private static long id(Context context) {
    try {
      return Long.parseLong(context.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new NotFoundException("dashboard " + context.pathParam("id") + " does not exist");
    }
  }

  private static int version(Context context) {
    try {
      return Integer.parseInt(context.pathParam("version"));
    } catch (NumberFormatException e) {
      throw new NotFoundException(
          "dashboard "
              + context.pathParam("id")
              + " has no version "
              + context.pathParam("version"));
    }
  }

  private ObjectNode sharing(SavedDashboard dashboard) {
    ObjectNode sharing = json.createObjectNode();
    sharing.put("visibility", dashboard.content().visibility().key());
    ArrayNode roles = sharing.putArray("roles");
    dashboard.content().sharedWith().stream().sorted().forEach(role -> roles.add(role.key()));
    return sharing;
  }

  private ObjectNode dashboard(SavedDashboard dashboard) throws RuntimeException {
    JsonNode document;
    try {
      document = json.readTree(dashboard.content().document());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("dashboard " + dashboard.id() + " has no JSON document", e);
    }
    ObjectNode answer = json.createObjectNode();
    answer.put("id", dashboard.id());
    answer.put("name", dashboard.content().name());
    answer.put("description", document.path("description").asText(""));
    answer.put("owner", dashboard.owner());
    answer.put("version", dashboard.version());
    answer.set("sharing", sharing(dashboard));
    answer.set(
        "filters",
        document.path("filters").isObject() ? document.get("filters") : json.createObjectNode());
    answer.set(
        "tiles", document.path("tiles").isArray() ? document.get("tiles") : json.createArrayNode());
    answer.put("updated_at", dashboard.savedAt().toString());
    answer.put("updated_by", dashboard.savedBy());
    return answer;
  }

  private ObjectNode summary(SavedDashboard dashboard) {
    ObjectNode summary = json.createObjectNode();
    summary.put("id", dashboard.id());
    summary.put("name", dashboard.content().name());
    summary.put("owner", dashboard.owner());
    summary.put("version", dashboard.version());
    summary.set("sharing", sharing(dashboard));
    try {
      summary.put("tiles", json.readTree(dashboard.content().document()).path("tiles").size());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("dashboard " + dashboard.id() + " has no JSON document", e);
    }
    summary.put("updated_at", dashboard.savedAt().toString());
    return summary;
  }

  private ObjectNode version(SavedDashboard version) {
    ObjectNode answer = json.createObjectNode();
    answer.put("version", version.version());
    answer.put("name", version.content().name());
    answer.put("saved_at", version.savedAt().toString());
    answer.put("saved_by", version.savedBy());
    if (version.restoredFrom().isPresent()) {
      answer.put("restored_from", version.restoredFrom().getAsInt());
    } else {
      answer.putNull("restored_from");
    }
    return answer;
  }
}
