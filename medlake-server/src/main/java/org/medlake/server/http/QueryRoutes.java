package org.medlake.server.http;

import static java.util.Objects.requireNonNull;
import static org.medlake.server.http.RequestBodies.asOf;
import static org.medlake.server.http.RequestBodies.body;
import static org.medlake.server.http.RequestBodies.bodyBytes;
import static org.medlake.server.http.RequestBodies.isBlank;
import static org.medlake.server.http.RequestBodies.parameters;
import static org.medlake.server.http.RequestBodies.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.User;
import org.medlake.query.QueryService;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQuery;

/**
 * The catalogue and the queries: tables, predefined and structured queries, SQL, and their dry
 * runs.
 */
final class QueryRoutes {
  private final ServerServices services;
  private final ObjectMapper json;
  private final ServerMetrics metrics;
  private final QueryResponses responses;

  QueryRoutes(ServerServices services, ObjectMapper json, ServerMetrics metrics) {
    this.services = requireNonNull(services, "services is null");
    this.json = requireNonNull(json, "json is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.responses = new QueryResponses(json);
  }

  void register(Javalin app) {
    app.get(
        "/api/v1/tables", context -> context.json(services.catalog.tables(readerRole(context))));
    app.get(
        "/api/v1/tables/{name}",
        context ->
            context.json(
                services.catalog.describe(context.pathParam("name"), readerRole(context))));
    app.get(
        "/api/v1/tables/{name}/partitions",
        context ->
            context.json(
                services.catalog.partitions(context.pathParam("name"), readerRole(context))));
    app.get(
        "/api/v1/tables/{name}/snapshots",
        context ->
            context.json(
                services.catalog.snapshots(context.pathParam("name"), readerRole(context))));
    app.get(
        "/api/v1/queries",
        context -> {
          Role role = readerRole(context);
          // an aggregate-only caller is shown only the queries it may run (suppressed ones)
          context.json(
              services.predefined().list().stream()
                  .filter(
                      query ->
                          role != Role.VIEWER
                              || query.aggregateOnly()
                                  == org.medlake.query.predefined.PredefinedQuery.AggregateOnly
                                      .SUPPRESSED)
                  .map(QueryRoutes::describe)
                  .toList());
        });
    app.post("/api/v1/queries/{name}/run", this::runPredefined);
    app.post("/api/v1/query", this::runStructured);
    app.post("/api/v1/sql", this::runSql);
  }

  private void runPredefined(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.QUERY, "predefined:" + context.pathParam("name"));
    byte[] bytes = bodyBytes(context);
    JsonNode body = isBlank(bytes) ? json.createObjectNode() : body(bytes);
    answerPredefined(context, context.pathParam("name"), body);
  }

  /**
   * Answers a predefined query's run or dry run ({@code body}: parameters, as_of, dry_run): the one
   * path of /queries/{name}/run and of dashboard tiles.
   */
  void answerPredefined(Context context, String name, JsonNode body) {
    if (body.path("dry_run").asBoolean(false)) {
      Role role = readerRole(context);
      PredefinedQuery query = services.predefined().find(name);
      context.json(
          estimated(
              context,
              services.queries.estimate(
                  PredefinedQueries.bind(query, parameters(body), asOf(body)), role)));
      return;
    }
    responses.send(context, predefined(context, name, body));
  }

  org.medlake.query.engine.QueryResult predefined(Context context, String name, JsonNode body) {
    Role role = readerRole(context);
    PredefinedQuery query = services.predefined().find(name);
    QueryRequest request = services.bind(query, parameters(body), asOf(body));
    return metrics.query(
        "predefined",
        AuditTrail.result(context, services.queries.runPredefined(query, request, role)));
  }

  private static org.medlake.query.cost.Estimate estimated(
      Context context, org.medlake.query.cost.Estimate estimate) {
    AuditTrail.detail(context, "dry_run", true);
    AuditTrail.detail(context, "estimated_bytes", estimate.projectedBytes());
    AuditTrail.detail(context, "estimated_files", estimate.files());
    return estimate;
  }

  private void runStructured(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.QUERY, "structured");
    readerRole(context);
    JsonNode body = body(context);
    answerStructured(
        context, StructuredQueries.parse(json.writeValueAsString(body.path("query"))), body);
  }

  /**
   * Answers a structured query's run or dry run ({@code body}: as_of, dry_run): the one path of
   * /query and of dashboard tiles.
   */
  void answerStructured(Context context, StructuredQuery query, JsonNode body) {
    Role role = readerRole(context);
    if (body.path("dry_run").asBoolean(false)) {
      context.json(estimated(context, services.structured.estimate(query, role, asOf(body))));
      return;
    }
    responses.send(
        context,
        metrics.query(
            "structured",
            AuditTrail.result(context, services.structured.run(query, role, asOf(body)))));
  }

  private void runSql(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.SQL, null);
    JsonNode body = body(context);
    if (body.path("dry_run").asBoolean(false)) {
      User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
      context.json(
          estimated(
              context, services.queries.estimate(sqlRequest(context, user, body), user.role())));
      return;
    }
    responses.send(context, sql(context, body));
  }

  private org.medlake.query.engine.QueryResult sql(Context context, JsonNode body) {
    User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
    return metrics.query(
        "sql",
        AuditTrail.result(
            context,
            services.queries.run(
                sqlRequest(context, user, body),
                user.role(),
                user.role().key(),
                UnaryOperator.identity())));
  }

  QueryRequest sqlRequest(Context context, User user, JsonNode body) {
    AuditTrail.sql(context, text(body, "sql"));
    return QueryService.sqlRequest(text(body, "sql"), user.role(), asOf(body));
  }

  /** Anyone but uploaders may read the catalogue and run predefined and structured queries. */
  static Role readerRole(Context context) {
    return Caller.require(context, Role.ADMIN, Role.ANALYST, Role.VIEWER).role();
  }

  private static Map<String, Object> describe(PredefinedQuery query) {
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("name", query.name());
    description.put("title", query.title());
    description.put("description", query.description());
    description.put("parameters", query.parameters());
    return description;
  }
}
