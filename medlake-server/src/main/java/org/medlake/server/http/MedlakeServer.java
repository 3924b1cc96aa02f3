package org.medlake.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.automation.Automation;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.core.error.ErrorType;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.QueryService;
import org.medlake.query.cache.ResultCaches;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.structured.StructuredQueries;
import org.medlake.query.structured.StructuredQueryRunner;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.SessionStore;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.User;
import org.medlake.server.limits.Limits;
import org.medlake.server.limits.RequestRefusedException;

/**
 * The platform server: the versioned JSON API over the catalogue and query services, with
 * sessions and API tokens. Handlers are thin: parse, call one service method, map the result.
 */
public final class MedlakeServer implements AutoCloseable {
  static final String SESSION_COOKIE = "medlake_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  static final String UPLOADS = "/api/v1/uploads";
  static final String WEB_APP = "/org/medlake/web";
  private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

  private final Javalin app;
  private final Lakehouse lakehouse;
  private final PlatformDatabase platform;
  private final QueuedAuditLog audit;
  private final Optional<Automation> automation;
  private final IngestionQueue ingestion;

  private MedlakeServer(Javalin app, Lakehouse lakehouse, PlatformDatabase platform, QueuedAuditLog audit, Optional<Automation> automation,
      IngestionQueue ingestion) {
    this.automation = automation;
    this.ingestion = ingestion;
    this.app = app;
    this.lakehouse = lakehouse;
    this.platform = platform;
    this.audit = audit;
  }

  /** Starts the server on {@code port} (0 for a free port). */
  public static MedlakeServer start(MedlakeHome home, int port) {
    return start(home, port, Clock.systemUTC());
  }

  /** Starts the server with {@code clock} as the time of sessions, rate limits and the audit log. */
  public static MedlakeServer start(MedlakeHome home, int port, Clock clock) {
    Lakehouse lakehouse = Lakehouse.open(home);
    PlatformDatabase platform = PlatformDatabase.open(home);
    Services services = new Services(home, lakehouse, platform, clock);
    ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
        .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    Javalin app = Javalin.create(config -> {
      config.jsonMapper(new JavalinJackson(json, false));
      config.showJavalinBanner = false;
      config.http.maxRequestSize = home.config().server().maxRequestBytes();
      config.http.customCompression(compression());
      if (home.config().server().tlsKeystore().isPresent()) {
        config.jetty.addConnector((server, http) -> Tls.connector(home.config().server(), server, http, "127.0.0.1", port).orElseThrow());
      }
      serveWebApp(config);
    });
    ServerMetrics metrics = new ServerMetrics();
    metrics.install(app);
    Routes routes = new Routes(services, json, metrics);
    app.before(MedlakeServer::securityHeaders);
    // uploads stream their body and bound it with ingest.max-decompressed-bytes
    services.limits.installBeforeAuthentication(app, Set.of(UPLOADS));
    app.before("/api/*", routes::authenticate);
    services.limits.installAfterAuthentication(app, context -> Caller.of(context).map(User::name));
    QueuedAuditLog audit = new QueuedAuditLog(platform.audit());
    new AuditTrail(audit, clock).install(app);
    routes.register(app);
    // the process's one ingestion queue: uploads, approvals, the watcher and the schedules submit to it
    IngestionQueue ingestion = IngestionQueue.open(home);
    new IngestionRoutes(home, lakehouse, metrics, ingestion).register(app);
    PublicPaths paths = new PublicPaths(home);
    new AdminRoutes(platform, json, services.tokens::invalidateAll, home.config().server().maxTokenDays()).register(app);
    app.exception(RequestRefusedException.class, (error, context) -> {
      context.attribute(AuditTrail.ERROR_CODE, error.code());
      error.retryAfterSeconds().ifPresent(seconds -> context.header("Retry-After", Long.toString(seconds)));
      context.status(error.status()).json(new ErrorBody(error.code(), error.getMessage(), error.details()));
    });
    app.exception(HttpError.class, (error, context) -> {
      context.attribute(AuditTrail.ERROR_CODE, error.code());
      context.status(error.status()).json(new ErrorBody(error.code(), paths.message(error.getMessage()), Map.of()));
    });
    app.exception(MedlakeException.class, (error, context) -> {
      context.attribute(AuditTrail.ERROR_CODE, error.errorCode().name());
      context.status(status(error)).json(new ErrorBody(error.errorCode().name(), paths.message(oneLine(error.getMessage())), Map.of()));
    });
    app.exception(Exception.class, (error, context) -> {
      org.slf4j.LoggerFactory.getLogger(MedlakeServer.class).error("Request {} {} failed", context.method(), context.path(), error);
      context.attribute(AuditTrail.ERROR_CODE, "INTERNAL_ERROR");
      context.status(500).json(new ErrorBody("INTERNAL_ERROR", "Internal error; see the server log", Map.of()));
    });
    app.error(404, context -> {
      if (context.result() == null || context.result().isEmpty()) {
        context.json(new ErrorBody("NOT_FOUND", "No such endpoint: " + context.method() + " " + context.path(), Map.of()));
      }
    });
    // started first: a bad schedule fails the start before the port opens
    Optional<Automation> automation = home.config().watch().enabled()
        ? Optional.of(Automation.start(home, Optional.of(ingestion), metrics.ingestObserver(home.root())))
        : Optional.empty();
    try {
      app.start("127.0.0.1", port);
    } catch (RuntimeException e) {
      automation.ifPresent(Automation::close);
      ingestion.close();
      throw e;
    }
    return new MedlakeServer(app, lakehouse, platform, audit, automation, ingestion);
  }

  public int port() {
    return app.port();
  }

  /** The process's ingestion queue (tests). */
  IngestionQueue ingestion() {
    return ingestion;
  }

  /** The registered HTTP routes as "METHOD path", for checking them against the OpenAPI document. */
  public java.util.SortedSet<String> routes() {
    java.util.SortedSet<String> routes = new java.util.TreeSet<>();
    for (var endpoint : app.unsafeConfig().pvt.internalRouter.allHttpHandlers()) {
      if (endpoint.getEndpoint().getMethod().isHttpMethod()) {
        routes.add(endpoint.getEndpoint().getMethod().name() + " " + endpoint.getEndpoint().getPath());
      }
    }
    return routes;
  }

  @Override
  public void close() {
    // the file being ingested is finished before the server goes
    automation.ifPresent(Automation::close);
    app.stop();
    ingestion.close();
    audit.close();
    platform.close();
    lakehouse.close();
  }

  /**
   * The web front-end (module medlake-web) from the classpath at {@code /}: the content-hashed
   * files under {@code /assets} are cached for good, everything else (index.html) is revalidated.
   * Static files are not routes, so {@link #routes()} still lists exactly the API.
   */
  private static void serveWebApp(io.javalin.config.JavalinConfig config) {
    if (MedlakeServer.class.getResource(WEB_APP + "/index.html") == null) {
      return;
    }
    if (MedlakeServer.class.getResource(WEB_APP + "/assets") != null) {
      config.staticFiles.add(staticFiles -> {
        staticFiles.hostedPath = "/assets";
        staticFiles.directory = WEB_APP + "/assets";
        staticFiles.location = io.javalin.http.staticfiles.Location.CLASSPATH;
        staticFiles.headers = Map.of("Cache-Control", "max-age=31536000, immutable");
      });
    }
    config.staticFiles.add(staticFiles -> {
      staticFiles.hostedPath = "/";
      staticFiles.directory = WEB_APP;
      staticFiles.location = io.javalin.http.staticfiles.Location.CLASSPATH;
      staticFiles.headers = Map.of("Cache-Control", "no-cache");
    });
  }

  /**
   * Javalin's default (gzip for bodies of 1500 bytes and more, except already compressed types),
   * with JSON named as allowed: it was never excluded, and named it skips the scan of the excluded
   * types (a case-blind substring search each), which cost every large answer more than its routing.
   */
  static io.javalin.compression.CompressionStrategy compression() {
    io.javalin.compression.CompressionStrategy compression = new io.javalin.compression.CompressionStrategy(null, new io.javalin.compression.Gzip());
    java.util.List<String> allowed = new java.util.ArrayList<>(compression.getAllowedMimeTypes());
    allowed.add(io.javalin.http.ContentType.JSON);
    compression.setAllowedMimeTypes(java.util.List.copyOf(allowed));
    return compression;
  }

  private static void securityHeaders(Context context) {
    context.header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    context.header("X-Content-Type-Options", "nosniff");
    context.header("X-Frame-Options", "DENY");
    context.header("Referrer-Policy", "no-referrer");
    context.header("Cache-Control", "no-store");
    if ("https".equals(context.scheme())) {
      context.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  }

  private static int status(MedlakeException error) {
    return switch (error.errorCode()) {
      case NOT_FOUND -> 404;
      case BUDGET_EXCEEDED, QUERY_LIMIT_EXCEEDED -> 422;
      case QUERY_REFUSED, INVALID_ARGUMENT, INVALID_CONFIG, INVALID_SOURCE_MAPPING, UNREADABLE_FILE -> 400;
      case COMMIT_CONFLICT, RUN_NOT_HELD -> 409;
      case STORAGE_ERROR, INTERNAL_ERROR -> error.errorCode().type() == ErrorType.EXTERNAL ? 503 : 500;
    };
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** The services the handlers call, created once per server. */
  static final class Services {
    final MedlakeHome home;
    final PlatformDatabase platform;
    final CatalogService catalog;
    final QueryService queries;
    final StructuredQueryRunner structured;
    final SessionStore sessions;
    final Limits limits;
    /** Bearer tokens seen in the last seconds (by SHA-256): revocations through the API clear it at once, the CLI's within its lifetime. */
    final com.github.benmanes.caffeine.cache.Cache<String, User> tokens = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(2)).build();

    Services(MedlakeHome home, Lakehouse lakehouse, PlatformDatabase platform, Clock clock) {
      this.home = home;
      this.platform = platform;
      this.sessions = SessionStore.inMemory(home.config().server().sessionLifetime(), home.config().server().maxSessions(), clock);
      this.limits = Limits.create(home.config().server(), clock);
      this.catalog = new CatalogService(lakehouse, Duration.ofSeconds(1));
      // a new monthly load becomes visible to the server's queries within a second
      this.queries = new QueryService(lakehouse, home.config().query(), ResultCaches.create(home.config().query()), Duration.ofSeconds(1))
          .withNoiseKey(org.medlake.query.privacy.CountNoise.keyFrom(org.medlake.core.vault.PseudonymKey.load(home.pseudonymKeyFile(),
              java.util.Optional.ofNullable(System.getenv(org.medlake.core.vault.PseudonymKey.ENVIRONMENT_VARIABLE)))));
      this.structured = new StructuredQueryRunner(queries, home.config().query());
    }

    private volatile PredefinedQueries predefined;
    private volatile long predefinedStamp = -1;
    private volatile long predefinedCheckedAt;
    private final BoundRequests bound = new BoundRequests();

    /** The predefined queries, read again when a file in the home's queries/ changed (looked at once a second). */
    PredefinedQueries predefined() {
      long now = System.nanoTime();
      if (predefined != null && now - predefinedCheckedAt < 1_000_000_000L) {
        return predefined;
      }
      long stamp = queriesStamp();
      if (predefined == null || stamp != predefinedStamp) {
        bound.invalidateAll();
        predefined = PredefinedQueries.load(home.queries());
        predefinedStamp = stamp;
      }
      predefinedCheckedAt = now;
      return predefined;
    }

    /** {@link PredefinedQueries#bind}, remembered per (query, arguments, as-of). */
    QueryRequest bind(PredefinedQuery query, Map<String, String> arguments, org.medlake.query.engine.AsOf asOf) {
      return bound.bind(query, arguments, asOf);
    }

    private long queriesStamp() {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(home.queries())) {
        return files.mapToLong(file -> file.toFile().lastModified() * 31 + file.getFileName().hashCode()).sum()
            + home.queries().toFile().lastModified();
      } catch (java.io.IOException e) {
        return 0;
      }
    }
  }

  /** The API's routes and the authentication filter. */
  static final class Routes {
    /** One digest per thread for the token cache's keys: looking the algorithm up costs more than hashing a token. */
    private static final ThreadLocal<java.security.MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
      try {
        return java.security.MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });

    private final Services services;
    private final ObjectMapper json;
    private final ServerMetrics metrics;
    private final QueryResponses responses;

    Routes(Services services, ObjectMapper json, ServerMetrics metrics) {
      this.services = services;
      this.json = json;
      this.metrics = metrics;
      this.responses = new QueryResponses(json);
    }

    void register(Javalin app) {
      app.get("/health", context -> context.json(Map.of("status", "ok")));
      app.get("/api/openapi.json", context -> {
        try (java.io.InputStream document = MedlakeServer.class.getResourceAsStream("/org/medlake/server/openapi.json")) {
          context.contentType("application/json").result(document.readAllBytes());
        }
      });
      app.post("/api/v1/login", this::login);
      app.post("/api/v1/logout", this::logout);
      app.get("/api/v1/me", context -> context.json(me(Caller.require(context, Role.values()))));
      app.get("/api/v1/tables", context -> context.json(services.catalog.tables(readerRole(context))));
      app.get("/api/v1/tables/{name}", context -> context.json(services.catalog.describe(context.pathParam("name"), readerRole(context))));
      app.get("/api/v1/tables/{name}/partitions",
          context -> context.json(services.catalog.partitions(context.pathParam("name"), readerRole(context))));
      app.get("/api/v1/tables/{name}/snapshots",
          context -> context.json(services.catalog.snapshots(context.pathParam("name"), readerRole(context))));
      app.get("/api/v1/queries", context -> {
        Role role = readerRole(context);
        // an aggregate-only caller is shown only the queries it may run (suppressed ones)
        context.json(services.predefined().list().stream()
            .filter(query -> role != Role.VIEWER || query.aggregateOnly() == org.medlake.query.predefined.PredefinedQuery.AggregateOnly.SUPPRESSED)
            .map(Routes::describe).toList());
      });
      app.post("/api/v1/queries/{name}/run", this::runPredefined);
      app.post("/api/v1/query", this::runStructured);
      app.post("/api/v1/sql", this::runSql);
      app.post("/api/v1/exports", this::export);
    }

    /**
     * Any query result as a download: the body names the query as the query endpoints do
     * ({@code sql}, {@code query} or {@code predefined} with {@code parameters}) plus {@code format}.
     * Rows are capped per role; the cap is in the response header {@code X-Row-Cap}.
     */
    private void export(Context context) throws Exception {
      AuditTrail.mark(context, AuditAction.EXPORT, null);
      JsonNode body = body(context);
      ResultExports.Format format = ResultExports.Format.parse(body.path("format").asText("csv"));
      AuditTrail.detail(context, "format", format.extension);
      java.nio.file.Files.createDirectories(services.home.temporary());
      java.nio.file.Path file = java.nio.file.Files.createTempFile(services.home.temporary(), "export-", "." + format.extension);
      try {
        long rows;
        long cap;
        if (body.has("sql")) {
          // row-level data: streamed from DuckDB into the spool file, never held in memory
          User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
          QueryRequest request = sqlRequest(context, user, body);
          cap = services.home.config().query().exportRows(user.role());
          org.medlake.query.engine.StreamedResult streamed;
          try (ResultExports.Spool spool = ResultExports.spool(format, file, json, services.home.temporary())) {
            streamed = services.queries.stream(request, user.role(), cap, spool);
            AuditTrail.scan(context, streamed.filesScanned(), streamed.bytesScanned(), streamed.elapsedMs(), streamed.snapshotIds());
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
            Role role = readerRole(context);
            result = services.structured.run(StructuredQueries.parse(json.writeValueAsString(body.path("query"))), role, asOf(body));
          } else if (body.has("predefined")) {
            result = predefined(context, body.get("predefined").asText(), body);
          } else {
            throw HttpError.badRequest("Name the query: 'sql', 'query' (structured) or 'predefined'");
          }
          User user = Caller.require(context, Role.values());
          cap = services.home.config().query().exportRows(user.role());
          AuditTrail.result(context, result);
          if (result.table().rows().size() > cap) {
            throw tooLarge(user, "has " + result.table().rows().size() + " rows", cap);
          }
          try (ResultExports.Spool spool = ResultExports.spool(format, file, json, services.home.temporary())) {
            ResultExports.write(result.table(), spool);
          }
          rows = result.table().rows().size();
        }
        AuditTrail.detail(context, "rows", rows);
        // audited before the first byte is sent: an export that cannot be audited is refused
        AuditTrail.recordBeforeSending(context);
        context.header("X-Row-Cap", String.valueOf(cap));
        context.header("Content-Disposition", "attachment; filename=\"medlake-export." + format.extension + "\"");
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

    private static HttpError tooLarge(User user, String size, long cap) {
      return new HttpError(422, "EXPORT_TOO_LARGE", "The result " + size + "; a " + user.role().key() + " may export at most " + cap
          + " rows (query.export-rows): aggregate, filter, or add a LIMIT");
    }

    /** Bearer token or session cookie; state-changing session requests must carry the CSRF token. */
    void authenticate(Context context) {
      if (context.path().equals("/api/v1/login") || context.path().equals("/api/openapi.json")) {
        return;
      }
      String authorization = context.header("Authorization");
      if (authorization != null && authorization.startsWith("Bearer ")) {
        String secret = authorization.substring(7).trim();
        String key = sha256(secret);
        User user = services.tokens.getIfPresent(key);
        if (user == null) {
          user = services.platform.tokens().authenticate(secret).orElseThrow(HttpError::unauthenticated);
          services.tokens.put(key, user);
        }
        Caller.set(context, user);
        return;
      }
      SessionStore.Session session = services.sessions.find(context.cookie(SESSION_COOKIE)).orElseThrow(HttpError::unauthenticated);
      // the user as the platform database has it now: disabled, deleted or changed ends the session at once
      if (!services.platform.users().find(session.user().name()).filter(session.user()::equals).isPresent()) {
        services.sessions.end(session.id());
        throw HttpError.unauthenticated();
      }
      if (STATE_CHANGING.contains(context.method()) && !session.csrfToken().equals(context.header(CSRF_HEADER))) {
        throw HttpError.forbidden("Missing or wrong " + CSRF_HEADER + " header");
      }
      Caller.set(context, session.user());
    }

    private void login(Context context) throws Exception {
      AuditTrail.mark(context, AuditAction.LOGIN, null);
      JsonNode body = body(context);
      String name = text(body, "name");
      AuditTrail.actor(context, name);
      char[] password = text(body, "password").toCharArray();
      services.limits.throttleLogin(context, name);
      User user = services.platform.users().authenticate(name, password)
          .orElseThrow(() -> new HttpError(401, "UNAUTHENTICATED", "Wrong user name or password"));
      services.limits.loginSucceeded(context, name);
      services.sessions.end(context.cookie(SESSION_COOKIE));
      SessionStore.Session session = services.sessions.create(user);
      Cookie cookie = new Cookie(SESSION_COOKIE, session.id());
      cookie.setHttpOnly(true);
      cookie.setSameSite(SameSite.STRICT);
      cookie.setPath("/");
      cookie.setSecure("https".equals(context.scheme()));
      context.cookie(cookie);
      Map<String, Object> answer = new LinkedHashMap<>(me(user));
      answer.put("csrf_token", session.csrfToken());
      context.json(answer);
    }

    private void logout(Context context) {
      AuditTrail.mark(context, AuditAction.LOGOUT, null);
      Caller.require(context, Role.values());
      services.sessions.end(context.cookie(SESSION_COOKIE));
      context.removeCookie(SESSION_COOKIE, "/");
      context.status(204);
    }

    private void runPredefined(Context context) throws Exception {
      AuditTrail.mark(context, AuditAction.QUERY, "predefined:" + context.pathParam("name"));
      byte[] bytes = bodyBytes(context);
      JsonNode body = isBlank(bytes) ? json.createObjectNode() : body(bytes);
      if (body.path("dry_run").asBoolean(false)) {
        Role role = readerRole(context);
        PredefinedQuery query = services.predefined().find(context.pathParam("name"));
        context.json(estimated(context, services.queries.estimate(PredefinedQueries.bind(query, parameters(body), asOf(body)), role)));
        return;
      }
      responses.send(context, predefined(context, context.pathParam("name"), body));
    }

    private org.medlake.query.engine.QueryResult predefined(Context context, String name, JsonNode body) {
      Role role = readerRole(context);
      PredefinedQuery query = services.predefined().find(name);
      QueryRequest request = services.bind(query, parameters(body), asOf(body));
      return metrics.query("predefined", AuditTrail.result(context, services.queries.runPredefined(query, request, role)));
    }

    private static org.medlake.query.cost.Estimate estimated(Context context, org.medlake.query.cost.Estimate estimate) {
      AuditTrail.detail(context, "dry_run", true);
      AuditTrail.detail(context, "estimated_bytes", estimate.projectedBytes());
      AuditTrail.detail(context, "estimated_files", estimate.files());
      return estimate;
    }

    private static Map<String, String> parameters(JsonNode body) {
      Map<String, String> parameters = new HashMap<>();
      body.path("parameters").properties().forEach(entry -> parameters.put(entry.getKey(),
          entry.getValue().isArray() ? join(entry.getValue()) : entry.getValue().asText()));
      return parameters;
    }

    private void runStructured(Context context) throws Exception {
      AuditTrail.mark(context, AuditAction.QUERY, "structured");
      Role role = readerRole(context);
      JsonNode body = body(context);
      var query = StructuredQueries.parse(json.writeValueAsString(body.path("query")));
      if (body.path("dry_run").asBoolean(false)) {
        context.json(estimated(context, services.structured.estimate(query, role, asOf(body))));
        return;
      }
      responses.send(context, metrics.query("structured", AuditTrail.result(context, services.structured.run(query, role, asOf(body)))));
    }

    private void runSql(Context context) throws Exception {
      AuditTrail.mark(context, AuditAction.SQL, null);
      JsonNode body = body(context);
      if (body.path("dry_run").asBoolean(false)) {
        User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
        context.json(estimated(context, services.queries.estimate(sqlRequest(context, user, body), user.role())));
        return;
      }
      responses.send(context, sql(context, body));
    }

    private org.medlake.query.engine.QueryResult sql(Context context, JsonNode body) {
      User user = Caller.require(context, Role.ANALYST, Role.ADMIN);
      return metrics.query("sql", AuditTrail.result(context,
          services.queries.run(sqlRequest(context, user, body), user.role(), user.role().key(), UnaryOperator.identity())));
    }

    private QueryRequest sqlRequest(Context context, User user, JsonNode body) {
      AuditTrail.sql(context, text(body, "sql"));
      return QueryService.sqlRequest(text(body, "sql"), user.role(), asOf(body));
    }

    /** Anyone but uploaders may read the catalogue and run predefined and structured queries. */
    private static Role readerRole(Context context) {
      return Caller.require(context, Role.ADMIN, Role.ANALYST, Role.VIEWER).role();
    }

    private JsonNode body(Context context) throws Exception {
      return body(bodyBytes(context));
    }

    private JsonNode body(byte[] bytes) throws Exception {
      try {
        JsonNode body = json.readTree(bytes);
        if (body == null || !body.isObject()) {
          throw HttpError.badRequest("The request body must be a JSON object");
        }
        return body;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw HttpError.badRequest("The request body is not valid JSON: " + oneLine(e.getOriginalMessage()));
      }
    }

    /**
     * The request body, read once: at its Content-Length straight into one array (Javalin's own
     * read copies through two 8 KB buffers), which the size limit has bounded by now.
     */
    private static byte[] bodyBytes(Context context) throws java.io.IOException {
      long length = context.req().getContentLengthLong();
      if (length < 0 || length > Integer.MAX_VALUE) {
        return context.bodyAsBytes();
      }
      return context.req().getInputStream().readNBytes((int) length);
    }

    private static boolean isBlank(byte[] bytes) {
      for (byte b : bytes) {
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
          return false;
        }
      }
      return true;
    }

    private static String sha256(String secret) {
      return java.util.HexFormat.of().formatHex(SHA_256.get().digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static String text(JsonNode body, String field) {
      JsonNode value = body.get(field);
      if (value == null || !value.isTextual() || value.asText().isEmpty()) {
        throw HttpError.badRequest("'" + field + "' is required");
      }
      return value.asText();
    }

    private static AsOf asOf(JsonNode body) {
      JsonNode asOf = body.get("as_of");
      return asOf == null || asOf.isNull() ? AsOf.CURRENT : AsOf.parse(asOf.asText());
    }

    private static String join(JsonNode array) {
      StringBuilder text = new StringBuilder();
      array.forEach(value -> text.append(text.length() == 0 ? "" : ",").append(value.asText()));
      return text.toString();
    }

    private static Map<String, Object> me(User user) {
      Map<String, Object> me = new LinkedHashMap<>();
      me.put("name", user.name());
      me.put("role", user.role().key());
      me.put("hospital_id", user.hospitalId().orElse(null));
      return me;
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

}
