package org.medlake.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.automation.Automation;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.ingest.maintenance.TableMaintenance;
import org.medlake.query.engine.QueryResult;

/**
 * Prometheus metrics of the server: HTTP requests, queries (latency, bytes scanned, cache hits),
 * ingestion (runs, rows, rejects by reason, duration, lag from a file's arrival to its commit),
 * missing deliveries, maintenance, and the JVM.
 */
final class ServerMetrics {
  private static final String START = "medlake.start-nanos";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger missingDeliveries = new AtomicInteger();
  // meters of the per-request paths, looked up once: registering a meter again builds its id and
  // tags each time
  private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
  private final Map<String, QueryMeters> queryMeters = new ConcurrentHashMap<>();

  ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    registry.gauge("medlake.deliveries.missing", missingDeliveries);
    // Every status from the start, at 0: a collector that publishes the increase between two
    // scrapes (CloudWatch's EMF exporter, Prometheus' increase()) would miss the first FAILED or
    // HELD run of a process if its series only appeared then (deploy/terraform alarms on them).
    for (RunStatus status : RunStatus.values()) {
      Counter.builder("medlake.ingest.runs").tag("status", status.name()).register(registry);
    }
  }

  void install(Javalin app) {
    app.before(context -> context.attribute(START, System.nanoTime()));
    app.after(this::recordRequest);
    app.get(
        "/metrics",
        context ->
            context.contentType("text/plain; version=0.0.4; charset=utf-8").result(scrape()));
  }

  /** The Prometheus text of every meter. */
  String scrape() {
    return registry.scrape();
  }

  private void recordRequest(Context context) {
    Long start = context.attribute(START);
    if (start == null) {
      return;
    }
    String route = context.endpointHandlerPath();
    RequestKey key =
        new RequestKey(
            context.method().name(),
            route == null || route.isEmpty() ? "unmatched" : route,
            context.statusCode());
    requestTimers
        .computeIfAbsent(key, this::requestTimer)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private Timer requestTimer(RequestKey key) {
    return Timer.builder("medlake.http.requests")
        .tag("method", key.method())
        .tag("route", key.route())
        .tag("status", String.valueOf(key.status()))
        .register(registry);
  }

  /** Records a query's cost and whether the cache answered it. */
  QueryResult query(String kind, QueryResult result) {
    QueryMeters meters = queryMeters.computeIfAbsent(kind, this::queryMeters);
    (result.cached() ? meters.cachedDuration() : meters.computedDuration())
        .record(result.elapsedMs(), TimeUnit.MILLISECONDS);
    if (!result.cached()) {
      meters.bytesScanned().increment(result.bytesScanned());
    }
    (result.cached() ? meters.hits() : meters.misses()).increment();
    return result;
  }

  private QueryMeters queryMeters(String kind) {
    Counter bytesScanned =
        Counter.builder("medlake.query.bytes.scanned").tag("kind", kind).register(registry);
    return new QueryMeters(
        Timer.builder("medlake.query.duration")
            .tag("kind", kind)
            .tag("cached", "true")
            .register(registry),
        Timer.builder("medlake.query.duration")
            .tag("kind", kind)
            .tag("cached", "false")
            .register(registry),
        bytesScanned,
        Counter.builder("medlake.query.cache").tag("result", "hit").register(registry),
        Counter.builder("medlake.query.cache").tag("result", "miss").register(registry));
  }

  private record RequestKey(String method, String route, int status) {}

  private record QueryMeters(
      Timer cachedDuration,
      Timer computedDuration,
      Counter bytesScanned,
      Counter hits,
      Counter misses) {}

  /**
   * Records a finished ingest run. {@code arrivedAt} is when the file landed (its modification
   * time); the lag is from then to the end of the run.
   */
  void ingestRun(IngestRun run, Instant arrivedAt) {
    String status = run.status().name();
    Counter.builder("medlake.ingest.runs").tag("status", status).register(registry).increment();
    Counter.builder("medlake.ingest.rows")
        .tag("outcome", "read")
        .register(registry)
        .increment(run.rowsRead());
    Counter.builder("medlake.ingest.rows")
        .tag("outcome", "accepted")
        .register(registry)
        .increment(run.rowsAccepted());
    Counter.builder("medlake.ingest.rows")
        .tag("outcome", "rejected")
        .register(registry)
        .increment(run.rowsRejected());
    run.rejectedByReason()
        .forEach(
            (reason, rows) ->
                Counter.builder("medlake.ingest.rejects")
                    .tag("reason", reason)
                    .register(registry)
                    .increment(rows));
    Timer.builder("medlake.ingest.duration")
        .tag("status", status)
        .register(registry)
        .record(Duration.ofMillis(run.durationMs()));
    Instant finished = run.startedAt().plusMillis(run.durationMs());
    if (!arrivedAt.isAfter(finished)) {
      Timer.builder("medlake.ingest.lag")
          .description("from a file's arrival in the landing zone to the end of its run")
          .register(registry)
          .record(Duration.between(arrivedAt, finished));
    }
  }

  /**
   * Records runs of files under {@code home}, missing deliveries and maintenance from the
   * automation.
   */
  Automation.Observer ingestObserver(Path home) {
    return new Automation.Observer() {
      @Override
      public void runFinished(IngestRun run) {
        ingestRun(run, arrival(home.resolve(run.sourceFile()), run.startedAt()));
      }

      @Override
      public void deliveriesChecked(YearMonth month, List<MissingDelivery> missing) {
        missingDeliveries.set(missing.size());
      }

      @Override
      public void maintained(List<TableMaintenance.Report> reports) {
        for (TableMaintenance.Report report : reports) {
          Counter.builder("medlake.maintenance.orphans.deleted")
              .tag("table", report.table())
              .register(registry)
              .increment(report.orphanFilesDeleted());
          Counter.builder("medlake.maintenance.runs")
              .tag("table", report.table())
              .register(registry)
              .increment();
        }
      }
    };
  }

  /** When a file arrived: its modification time, or {@code fallback} when it cannot be read. */
  static Instant arrival(Path file, Instant fallback) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (java.io.IOException e) {
      return fallback;
    }
  }
}
