package org.medlake.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.medlake.core.config.MedlakeHome;
import org.medlake.flight.FlightSqlEndpoint;
import org.medlake.ingest.automation.Automation;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.platform.store.User;

/**
 * The platform server: wires the application. It opens the services once ({@link ServerServices}),
 * installs the filters (security headers, limits, authentication, audit), registers the route
 * classes, one per resource, and the one {@link ErrorMapper}, and closes everything once.
 */
public final class MedlakeServer implements AutoCloseable {
  static final String UPLOADS = "/api/v1/uploads";
  static final String WEB_APP = "/org/medlake/web";
  private static final String OPENAPI = "/org/medlake/server/openapi.json";

  private final Javalin app;
  private final ServerServices services;
  private final Optional<Automation> automation;
  private final Optional<FlightSqlEndpoint> flight;

  private MedlakeServer(
      Javalin app,
      ServerServices services,
      Optional<Automation> automation,
      Optional<FlightSqlEndpoint> flight) {
    this.app = app;
    this.services = services;
    this.automation = automation;
    this.flight = flight;
  }

  /** Starts the server on {@code port} (0 for a free port). */
  public static MedlakeServer start(MedlakeHome home, int port) {
    return start(home, port, Clock.systemUTC());
  }

  /**
   * Starts the server with {@code clock} as the time of sessions, rate limits and the audit log.
   */
  public static MedlakeServer start(MedlakeHome home, int port, Clock clock) {
    ServerServices services = ServerServices.open(home, clock);
    Optional<Automation> automation = Optional.empty();
    Optional<FlightSqlEndpoint> flight = Optional.empty();
    try {
      ObjectMapper json =
          new ObjectMapper()
              .registerModule(new JavaTimeModule())
              .registerModule(new Jdk8Module())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
      Javalin app =
          Javalin.create(
              config -> {
                config.jsonMapper(new JavalinJackson(json, false));
                config.showJavalinBanner = false;
                config.http.maxRequestSize = home.config().server().maxRequestBytes();
                config.http.customCompression(compression());
                if (home.config().server().tlsKeystore().isPresent()) {
                  config.jetty.addConnector(
                      (server, http) ->
                          Tls.connector(
                                  home.config().server(),
                                  home.environment(),
                                  server,
                                  http,
                                  "127.0.0.1",
                                  port)
                              .orElseThrow());
                }
                serveWebApp(config);
              });
      ServerMetrics metrics = new ServerMetrics();
      metrics.install(app);
      SessionRoutes sessions = new SessionRoutes(services);
      app.before(MedlakeServer::securityHeaders);
      // uploads stream their body and bound it with ingest.max-decompressed-bytes
      services.limits.installBeforeAuthentication(app, Set.of(UPLOADS));
      app.before("/api/*", sessions::authenticate);
      services.limits.installAfterAuthentication(
          app, context -> Caller.of(context).map(User::name));
      new AuditTrail(services.audit, clock).install(app);
      registerPublic(app);
      sessions.register(app);
      QueryRoutes queries = new QueryRoutes(services, json, metrics);
      queries.register(app);
      new ExportRoutes(services, json, queries).register(app);
      new DashboardRoutes(services, json, queries).register(app);
      PublicPaths paths = new PublicPaths(home);
      IngestionJobs jobs = new IngestionJobs(home, services.ingestion, metrics);
      new RunRoutes(home, services.lakehouse, metrics, services.ingestion, jobs, paths)
          .register(app);
      new UploadRoutes(home, services.ingestion, jobs, paths).register(app);
      new RunTriggers(home, services.ingestion, jobs, paths).register(app);
      new AdminRoutes(
              services.platform,
              services.tokens::invalidateAll,
              home.config().server().maxTokenDays())
          .register(app);
      new ErrorMapper(paths).install(app);
      // started first: a bad schedule fails the start before the port opens
      automation =
          home.config().watch().enabled()
              ? Optional.of(
                  Automation.start(
                      home, Optional.of(services.ingestion), metrics.ingestObserver(home.root())))
              : Optional.empty();
      app.start("127.0.0.1", port);
      flight = ServerFlightAccess.start(home, services, paths, metrics, clock);
      return new MedlakeServer(app, services, automation, flight);
    } catch (RuntimeException e) {
      flight.ifPresent(FlightSqlEndpoint::close);
      automation.ifPresent(Automation::close);
      try {
        services.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** What anyone may read: the health check and the API's OpenAPI document. */
  private static void registerPublic(Javalin app) {
    app.get("/health", context -> context.json(Map.of("status", "ok")));
    app.get(
        "/api/openapi.json",
        context -> {
          try (java.io.InputStream document = MedlakeServer.class.getResourceAsStream(OPENAPI)) {
            context.contentType("application/json").result(document.readAllBytes());
          }
        });
  }

  public int port() {
    return app.port();
  }

  /** The port of the Flight SQL endpoint, when {@code flight.port} is configured. */
  public java.util.OptionalInt flightPort() {
    return flight
        .map(endpoint -> java.util.OptionalInt.of(endpoint.port()))
        .orElse(java.util.OptionalInt.empty());
  }

  /** The process's ingestion queue (tests). */
  IngestionQueue ingestion() {
    return services.ingestion;
  }

  /**
   * The registered HTTP routes as "METHOD path", for checking them against the OpenAPI document.
   */
  public java.util.SortedSet<String> routes() {
    java.util.SortedSet<String> routes = new java.util.TreeSet<>();
    for (var endpoint : app.unsafeConfig().pvt.internalRouter.allHttpHandlers()) {
      if (endpoint.getEndpoint().getMethod().isHttpMethod()) {
        routes.add(
            endpoint.getEndpoint().getMethod().name() + " " + endpoint.getEndpoint().getPath());
      }
    }
    return routes;
  }

  @Override
  public void close() {
    // the file being ingested is finished before the server goes
    automation.ifPresent(Automation::close);
    flight.ifPresent(FlightSqlEndpoint::close);
    app.stop();
    services.close();
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
      config.staticFiles.add(
          staticFiles -> {
            staticFiles.hostedPath = "/assets";
            staticFiles.directory = WEB_APP + "/assets";
            staticFiles.location = io.javalin.http.staticfiles.Location.CLASSPATH;
            staticFiles.headers = Map.of("Cache-Control", "max-age=31536000, immutable");
          });
    }
    config.staticFiles.add(
        staticFiles -> {
          staticFiles.hostedPath = "/";
          staticFiles.directory = WEB_APP;
          staticFiles.location = io.javalin.http.staticfiles.Location.CLASSPATH;
          staticFiles.headers = Map.of("Cache-Control", "no-cache");
        });
  }

  /**
   * Javalin's default (gzip for bodies of 1500 bytes and more, except already compressed types),
   * with JSON named as allowed: it was never excluded, and named it skips the scan of the excluded
   * types (a case-blind substring search each), which cost every large answer more than its
   * routing.
   */
  static io.javalin.compression.CompressionStrategy compression() {
    io.javalin.compression.CompressionStrategy compression =
        new io.javalin.compression.CompressionStrategy(null, new io.javalin.compression.Gzip());
    java.util.List<String> allowed = new java.util.ArrayList<>(compression.getAllowedMimeTypes());
    allowed.add(io.javalin.http.ContentType.JSON);
    compression.setAllowedMimeTypes(java.util.List.copyOf(allowed));
    return compression;
  }

  private static void securityHeaders(Context context) {
    context.header(
        "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    context.header("X-Content-Type-Options", "nosniff");
    context.header("X-Frame-Options", "DENY");
    context.header("Referrer-Policy", "no-referrer");
    context.header("Cache-Control", "no-store");
    if ("https".equals(context.scheme())) {
      context.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  }
}
