package org.medlake.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.AuditQuery;
import org.medlake.platform.store.User;
import org.medlake.query.engine.QueryResult;

/**
 * Writes one audit event per audited request. Handlers mark what they do (action, target, figures);
 * after the response is decided, the event is recorded with the outcome its status gives: 2xx ok,
 * 4xx refused, 5xx failed. Never the query text (only its fingerprint), never result rows.
 */
final class AuditTrail {
  private static final String ACTION = "medlake.audit.action";
  private static final String TARGET = "medlake.audit.target";
  private static final String DETAILS = "medlake.audit.details";
  private static final String SQL = "medlake.audit.sql";
  private static final String ACTOR = "medlake.audit.actor";
  static final String ERROR_CODE = "medlake.audit.error-code";
  private static final String TRAIL = "medlake.audit.trail";
  private static final String RECORDED = "medlake.audit.recorded";

  private final AuditLog log;
  private final Clock clock;

  AuditTrail(AuditLog log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  void install(Javalin app) {
    app.before("/api/*", context -> context.attribute(TRAIL, this));
    app.after("/api/*", this::record);
    app.get("/api/v1/audit", this::search);
  }

  static void mark(Context context, AuditAction action, String target) {
    context.attribute(ACTION, action);
    context.attribute(TARGET, target);
  }

  /** The account a login tried, before anyone is authenticated. */
  static void actor(Context context, String name) {
    context.attribute(ACTOR, name);
  }

  static void sql(Context context, String sql) {
    context.attribute(SQL, sql);
  }

  static void detail(Context context, String key, Object value) {
    Map<String, Object> details = context.attribute(DETAILS);
    if (details == null) {
      details = new LinkedHashMap<>();
      context.attribute(DETAILS, details);
    }
    details.put(key, value);
  }

  static QueryResult result(Context context, QueryResult result) {
    result.auditDetails().forEach((key, value) -> detail(context, key, value));
    return result;
  }

  /** What a query read: files, bytes, time and the snapshot of each table (to reproduce it). */
  static void scan(
      Context context,
      long filesScanned,
      long bytesScanned,
      long elapsedMs,
      Map<String, Long> snapshotIds) {
    QueryResult.scanDetails(filesScanned, bytesScanned, elapsedMs, snapshotIds)
        .forEach((key, value) -> detail(context, key, value));
  }

  /**
   * Records the request's event now, as a success, for a handler about to write its body itself (a
   * download): once bytes are sent the access cannot be refused, so it must be audited first.
   * Throws, and nothing is sent, when the event cannot be written.
   */
  static void recordBeforeSending(Context context) {
    AuditTrail trail = context.attribute(TRAIL);
    trail.record(context);
    context.attribute(RECORDED, Boolean.TRUE);
  }

  private void record(Context context) {
    AuditAction action = context.attribute(ACTION);
    if (action == null || context.attribute(RECORDED) != null) {
      return;
    }
    int status = context.statusCode();
    AuditOutcome outcome =
        status < 400 ? AuditOutcome.OK : status < 500 ? AuditOutcome.REFUSED : AuditOutcome.FAILED;
    if (action == AuditAction.LOGIN && outcome != AuditOutcome.OK) {
      action = AuditAction.LOGIN_FAILED;
    }
    User user = Caller.of(context).orElse(null);
    String actor =
        user != null
            ? user.name()
            : context.attribute(ACTOR) != null ? context.attribute(ACTOR) : AuditEvent.ANONYMOUS;
    AuditEvent.Builder event =
        AuditEvent.builder()
            .at(Instant.now(clock))
            .actor(actor)
            .clientIp(context.ip())
            .action(action)
            .outcome(outcome);
    if (user != null) {
      event.role(user.role());
    }
    String target = context.attribute(TARGET);
    if (target != null) {
      event.target(target);
    }
    Map<String, Object> details = context.attribute(DETAILS);
    if (details != null) {
      event.details(details);
    }
    String sql = context.attribute(SQL);
    if (sql != null) {
      event.sqlFingerprint(sql);
    }
    String errorCode = context.attribute(ERROR_CODE);
    if (errorCode != null) {
      event.detail("error_code", errorCode);
    }
    event.detail("status", status);
    log.record(event.build());
  }

  private void search(Context context) {
    Caller.require(context, org.medlake.core.security.Role.ADMIN);
    AuditQuery.Builder query = AuditQuery.builder();
    if (context.queryParam("actor") != null) {
      query.actor(context.queryParam("actor"));
    }
    if (context.queryParam("action") != null) {
      query.action(AuditAction.parse(context.queryParam("action")));
    }
    if (context.queryParam("outcome") != null) {
      query.outcome(AuditOutcome.parse(context.queryParam("outcome")));
    }
    try {
      if (context.queryParam("from") != null) {
        query.from(Instant.parse(context.queryParam("from")));
      }
      if (context.queryParam("to") != null) {
        query.to(Instant.parse(context.queryParam("to")));
      }
      if (context.queryParam("limit") != null) {
        query.limit(Integer.parseInt(context.queryParam("limit")));
      }
    } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
      throw ApiErrors.badRequest(
          "from/to must be ISO instants (2024-06-30T12:00:00Z) and limit a number");
    }
    context.json(log.search(query.build()));
  }
}
