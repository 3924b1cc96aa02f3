package org.medlake.server.http;

import static java.util.Objects.requireNonNull;
import static org.medlake.server.http.RequestBodies.asOf;
import static org.medlake.server.http.RequestBodies.body;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.User;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.structured.StructuredQueries;

/**
 * Query results as downloads (CSV, JSON, Parquet), capped per role, audited before the first byte.
 */
final class ExportRoutes {
  private final ServerServices services;
  private final ObjectMapper json;
  private final QueryRoutes queries;

  ExportRoutes(ServerServices services, ObjectMapper json, QueryRoutes queries) {
    this.services = requireNonNull(services, "services is null");
    this.json = requireNonNull(json, "json is null");
    this.queries = requireNonNull(queries, "queries is null");
  }

  void register(Javalin app) {
    app.post("/api/v1/exports", this::export);
  }

  /**
   * Any query result as a download: the body names the query as the query endpoints do ({@code
   * sql}, {@code query} or {@code predefined} with {@code parameters}) plus {@code format}. Rows
   * are capped per role; the cap is in the response header {@code X-Row-Cap}.
   */
  private void export(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.EXPORT, null);
    JsonNode body = body(context);
    ResultExports.Format format = ResultExports.Format.parse(body.path("format").asText("csv"));
    AuditTrail.detail(context, "format", format.extension);
    java.nio.file.Files.createDirectories(services.home.temporary());
    java.nio.file.Path file =
        java.nio.file.Files.createTempFile(
            services.home.temporary(), "export-", "." + format.extension);
    try {
      long rows;
      long cap;
      if (body.has("sql")) {
        // row-level data: streamed from DuckDB into the spool file, never held in memory
        User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
        QueryRequest request = queries.sqlRequest(context, user, body);
        cap = services.home.config().query().exportRows(user.role());
        org.medlake.query.engine.StreamedResult streamed;
        try (ResultExports.Spool spool =
            ResultExports.spool(format, file, json, services.home.temporary())) {
          streamed = services.queries.stream(request, user.role(), cap, spool);
          AuditTrail.scan(
              context,
              streamed.filesScanned(),
              streamed.bytesScanned(),
              streamed.elapsedMs(),
              streamed.snapshotIds());
          if (streamed.truncated()) {
            throw tooLarge(user, "has more than " + cap + " rows", cap);
          }
          spool.finish();
        }
        rows = streamed.rows();
      } else {
        // aggregates: answered (and suppressed for viewers) like the query endpoints, then written
        org.medlake.query.engine.QueryResult result;
        if (body.has("query")) {
          Role role = QueryRoutes.readerRole(context);
          result =
              services.structured.run(
                  StructuredQueries.parse(json.writeValueAsString(body.path("query"))),
                  role,
                  asOf(body));
        } else if (body.has("predefined")) {
          result = queries.predefined(context, body.get("predefined").asText(), body);
        } else {
          throw ApiErrors.badRequest("Name the query: 'sql', 'query' (structured) or 'predefined'");
        }
        User user = Caller.require(context, Role.values());
        cap = services.home.config().query().exportRows(user.role());
        AuditTrail.result(context, result);
        if (result.table().rows().size() > cap) {
          throw tooLarge(user, "has " + result.table().rows().size() + " rows", cap);
        }
        try (ResultExports.Spool spool =
            ResultExports.spool(format, file, json, services.home.temporary())) {
          ResultExports.write(result.table(), spool);
        }
        rows = result.table().rows().size();
      }
      AuditTrail.detail(context, "rows", rows);
      // audited before the first byte is sent: an export that cannot be audited is refused
      AuditTrail.recordBeforeSending(context);
      context.header("X-Row-Cap", String.valueOf(cap));
      context.header(
          "Content-Disposition",
          "attachment; filename=\"medlake-export." + format.extension + "\"");
      if (context.header("Accept-Encoding") == null) {
        // a compressed answer's length is not the spool's: Jetty sends it chunked then
        context.header("Content-Length", String.valueOf(java.nio.file.Files.size(file)));
      }
      context.contentType(format.contentType);
      java.nio.file.Files.copy(file, context.outputStream());
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  private static MedlakeException tooLarge(User user, String size, long cap) {
    return new MedlakeException(
        ErrorCode.EXPORT_TOO_LARGE,
        "The result "
            + size
            + "; a "
            + user.role().key()
            + " may export at most "
            + cap
            + " rows (query.export-rows): aggregate, filter, or add a LIMIT");
  }
}
