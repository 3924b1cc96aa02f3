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
import java.time.Duration;
import org.medlake.query.engine.QueryResult;

/** Prometheus metrics of the server: HTTP requests, queries (latency, bytes scanned, cache hits) and the JVM. */
final class ServerMetrics {
  private static final String START = "medlake.start-nanos";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  void install(Javalin app) {
    app.before(context -> context.attribute(START, System.nanoTime()));
    app.after(this::recordRequest);
    app.get("/metrics", context -> context.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
  }

  private void recordRequest(Context context) {
    Long start = context.attribute(START);
    if (start == null) {
      return;
    }
    String route = context.endpointHandlerPath();
    Timer.builder("medlake.http.requests")
        .tag("method", context.method().name())
        .tag("route", route == null || route.isEmpty() ? "unmatched" : route)
        .tag("status", String.valueOf(context.statusCode()))
        .register(registry)
        .record(Duration.ofNanos(System.nanoTime() - start));
  }

  /** Records a query's cost and whether the cache answered it. */
  QueryResult query(String kind, QueryResult result) {
    Timer.builder("medlake.query.duration").tag("kind", kind).tag("cached", String.valueOf(result.cached())).register(registry)
        .record(Duration.ofMillis(result.elapsedMs()));
    Counter.builder("medlake.query.bytes.scanned").tag("kind", kind).register(registry).increment(result.cached() ? 0 : result.bytesScanned());
    Counter.builder("medlake.query.cache").tag("result", result.cached() ? "hit" : "miss").register(registry).increment();
    return result;
  }
}
