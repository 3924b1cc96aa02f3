package org.medlake.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.SessionStore;
import org.medlake.platform.store.User;
import org.medlake.query.QueryService;
import org.medlake.query.cache.ResultCaches;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.privacy.CountNoise;
import org.medlake.query.structured.StructuredQueryRunner;
import org.medlake.server.limits.Limits;

/**
 * The services the handlers call, each created once per server and closed once, the last opened
 * first: the lakehouse, the platform database and its audit writer, the query services, and the
 * process's one ingestion queue (one {@code IngestService}) that uploads, approvals, the watcher
 * and the schedules submit to.
 */
final class ServerServices implements AutoCloseable {
  final MedlakeHome home;
  final Lakehouse lakehouse;
  final PlatformDatabase platform;
  final QueuedAuditLog audit;
  final IngestionQueue ingestion;
  final CatalogService catalog;
  final QueryService queries;
  final StructuredQueryRunner structured;
  final SessionStore sessions;
  final Limits limits;

  /**
   * Bearer tokens seen in the last seconds (by SHA-256): revocations through the API clear it at
   * once, the CLI's within its lifetime.
   */
  final Cache<String, User> tokens =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(2)).build();

  private final Deque<AutoCloseable> opened;

  private ServerServices(MedlakeHome home, Clock clock, Deque<AutoCloseable> opened) {
    this.home = home;
    this.opened = opened;
    this.lakehouse = opening(Lakehouse.open(home));
    this.platform = opening(PlatformDatabase.open(home));
    this.audit = opening(new QueuedAuditLog(platform.audit()));
    this.sessions =
        SessionStore.inMemory(
            home.config().server().sessionLifetime(), home.config().server().maxSessions(), clock);
    this.limits = Limits.create(home.config().server(), clock);
    this.catalog = new CatalogService(lakehouse, Duration.ofSeconds(1));
    // a new monthly load becomes visible to the server's queries within a second
    this.queries =
        new QueryService(
                lakehouse,
                home.config().query(),
                ResultCaches.create(home.config().query()),
                Duration.ofSeconds(1))
            .withNoiseKey(
                CountNoise.keyFrom(
                    PseudonymKey.load(
                        home.pseudonymKeyFile(),
                        home.environment().get(PseudonymKey.ENVIRONMENT_VARIABLE))));
    this.structured = new StructuredQueryRunner(queries, home.config().query());
    this.ingestion = opening(IngestionQueue.open(home));
  }

  /**
   * Opens every service of {@code home}; when one cannot be opened, those opened before are closed.
   */
  static ServerServices open(MedlakeHome home, Clock clock) {
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      return new ServerServices(home, clock, opened);
    } catch (RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  private <T extends AutoCloseable> T opening(T service) {
    opened.push(service);
    return service;
  }

  /** Lets the ingestion jobs finish, writes the queued audit events, then closes the stores. */
  @Override
  public void close() {
    RuntimeException failure = new RuntimeException("closing the server's services failed");
    closeAll(opened, failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened, RuntimeException failure) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
  }

  private volatile PredefinedQueries predefined;
  private volatile long predefinedStamp = -1;
  private volatile long predefinedCheckedAt;
  private final BoundRequests bound = new BoundRequests();

  /**
   * The predefined queries, read again when a file in the home's queries/ changed (looked at once a
   * second).
   */
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
  QueryRequest bind(
      PredefinedQuery query, Map<String, String> arguments, org.medlake.query.engine.AsOf asOf) {
    return bound.bind(query, arguments, asOf);
  }

  private long queriesStamp() {
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(home.queries())) {
      return files
              .mapToLong(file -> file.toFile().lastModified() * 31 + file.getFileName().hashCode())
              .sum()
          + home.queries().toFile().lastModified();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
