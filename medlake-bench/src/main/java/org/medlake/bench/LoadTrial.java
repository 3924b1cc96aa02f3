package org.medlake.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.core.text.TextTable;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.generate.GeneratedFile;

/**
 * The load part of {@code medlake bench faults}: a real {@code medlake serve} (child JVM) under
 * mixed traffic from several clients for a while: the same SQL again and again (cached), SQL with a
 * new literal each time (uncached), CSV exports, and a light stream of uploads (one client, one
 * small file at a time). Measures latency per kind (p50/p99), errors (any status >= 400 or failed
 * request) and the server's peak resident memory (VmHWM).
 */
final class LoadTrial {
  private static final com.fasterxml.jackson.databind.ObjectMapper RUN_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final int CLIENTS = 6;

  private LoadTrial() {}

  static FaultTrials.Report run(Path work, int seconds, int rows) throws Exception {
    Path homeDirectory = work.resolve("load-home");
    // the load is one user from one address: the per-user and per-address rate limits (600 and
    // 1,200
    // a minute by default) would answer most of it with 429, measuring the limiter instead of the
    // server
    java.nio.file.Files.createDirectories(homeDirectory);
    java.nio.file.Files.writeString(
        homeDirectory.resolve("medlake.yaml"),
        """
        server:
          requests-per-minute-per-user: 100000000
          requests-per-minute-per-ip: 100000000
        """);
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    List<GeneratedFile> files =
        Generation.generate(
                home, work.resolve("load-landing"), 2, 6, YearMonth.of(2023, 1), rows, 37)
            .files();
    // the first three months of both hospitals are in the lake; the later months are uploaded
    List<GeneratedFile> uploads = new ArrayList<>();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      for (GeneratedFile file : files) {
        if (file.month().isBefore(YearMonth.of(2023, 4))) {
          service.ingest(new IngestService.Delivery(file.path(), file.source(), file.month()));
        } else {
          uploads.add(file);
        }
      }
    }
    String token;
    try (PlatformDatabase platform = PlatformDatabase.open(home)) {
      platform
          .users()
          .add(
              "load-admin",
              Role.parse("admin"),
              Optional.empty(),
              "load-admin-password-1".toCharArray());
      token =
          platform.tokens().create("load-admin", "bench faults load", Duration.ofDays(1)).secret();
    }
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server =
        FaultTrials.cli(
            List.of("--home", homeDirectory.toString(), "serve", "--port", String.valueOf(port)));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = "http://127.0.0.1:" + port;
    List<String> failures = new ArrayList<>();
    try {
      awaitHealth(client, base, server);
      Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
      Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
      Map<String, String> firstError = new ConcurrentHashMap<>();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      AtomicLong peak = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 2);
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Random random = new Random(c);
        clients.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    double pick = random.nextDouble();
                    String kind;
                    HttpRequest.Builder request =
                        HttpRequest.newBuilder()
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofMinutes(2));
                    if (pick < 0.5) {
                      kind = "cached";
                      request
                          .uri(URI.create(base + "/api/v1/sql"))
                          .POST(
                              json(
                                  "{\"sql\": \"SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY 1\"}"));
                    } else if (pick < 0.85) {
                      kind = "uncached";
                      request
                          .uri(URI.create(base + "/api/v1/sql"))
                          .POST(
                              json(
                                  "{\"sql\": \"SELECT test_code, count(*) AS n FROM lab_results WHERE value_numeric > "
                                      + random.nextInt(1_000_000) / 1000.0
                                      + " GROUP BY 1\"}"));
                    } else {
                      kind = "export";
                      request
                          .uri(URI.create(base + "/api/v1/exports"))
                          .POST(
                              json(
                                  "{\"format\": \"csv\", \"sql\": \"SELECT hospital_id, test_code, unit,"
                                      + " count(*) AS n FROM lab_results GROUP BY 1, 2, 3\"}"));
                    }
                    send(
                        client,
                        request.header("Content-Type", "application/json").build(),
                        kind,
                        latencies,
                        errors,
                        firstError);
                  }
                  return null;
                }));
      }
      // uploads: one client, one file at a time, each a new hospital-month
      clients.add(
          pool.submit(
              () -> {
                for (GeneratedFile file : uploads) {
                  if (System.nanoTime() >= end) {
                    break;
                  }
                  HttpRequest request =
                      HttpRequest.newBuilder(
                              URI.create(
                                  base
                                      + "/api/v1/uploads?month="
                                      + file.month()
                                      + "&hospital="
                                      + file.hospitalId()))
                          .header("Authorization", "Bearer " + token)
                          .header("Content-Type", "text/csv")
                          .timeout(Duration.ofMinutes(5))
                          .POST(HttpRequest.BodyPublishers.ofFile(file.path()))
                          .build();
                  upload(client, request, base, token, latencies, errors, firstError);
                }
                return null;
              }));
      // the server's resident memory, sampled
      pool.submit(
          () -> {
            while (System.nanoTime() < end && server.isAlive()) {
              peak.accumulateAndGet(rss(server.pid(), "VmRSS"), Math::max);
              Thread.sleep(200);
            }
            return null;
          });
      for (Future<?> future : clients) {
        future.get();
      }
      pool.shutdown();
      long highWater = rss(server.pid(), "VmHWM");
      boolean healthy = health(client, base);
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("seconds", seconds);
      figures.put("clients", CLIENTS + " + 1 uploading");
      for (String kind : List.of("cached", "uncached", "export", "upload")) {
        List<Long> values = latencies.getOrDefault(kind, List.of());
        figures.put(
            kind,
            String.format(
                java.util.Locale.ROOT,
                "%d requests, p50 %d ms, p99 %d ms, %d errors%s",
                values.size(),
                FaultTrials.percentile(values, 50),
                FaultTrials.percentile(values, 99),
                errors.getOrDefault(kind, new AtomicInteger()).get(),
                firstError.containsKey(kind) ? " (first: " + firstError.get(kind) + ")" : ""));
      }
      figures.put("server_peak_rss", TextTable.bytes(Math.max(peak.get(), highWater)));
      figures.put("server_healthy_after", healthy);
      int errorCount = errors.values().stream().mapToInt(AtomicInteger::get).sum();
      if (errorCount > 0) {
        failures.add(errorCount + " requests failed: " + firstError);
      }
      if (!healthy) {
        failures.add("the server is not healthy after the load");
      }
      return new FaultTrials.Report("load test of medlake serve", 1, failures, figures);
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static HttpRequest.BodyPublisher json(String body) {
    return HttpRequest.BodyPublishers.ofString(body);
  }

  private static void send(
      HttpClient client,
      HttpRequest request,
      String kind,
      Map<String, List<Long>> latencies,
      Map<String, AtomicInteger> errors,
      Map<String, String> firstError) {
    long start = System.nanoTime();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      latencies
          .computeIfAbsent(kind, ignored -> Collections.synchronizedList(new ArrayList<>()))
          .add((System.nanoTime() - start) / 1_000_000);
      if (response.statusCode() >= 400) {
        errors.computeIfAbsent(kind, ignored -> new AtomicInteger()).incrementAndGet();
        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        firstError.putIfAbsent(
            kind, response.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
      }
    } catch (Exception e) {
      errors.computeIfAbsent(kind, ignored -> new AtomicInteger()).incrementAndGet();
      firstError.putIfAbsent(kind, e.toString());
    }
  }

  /**
   * An upload timed to its run's end, as before uploads were answered at once: the 202 names the
   * QUEUED run, which is read until it is no longer QUEUED or RUNNING; a FAILED run is an error.
   */
  private static void upload(
      HttpClient client,
      HttpRequest request,
      String base,
      String token,
      Map<String, List<Long>> latencies,
      Map<String, AtomicInteger> errors,
      Map<String, String> firstError) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
      String status = answer.statusCode() == 202 ? "QUEUED" : "HTTP " + answer.statusCode();
      String body = answer.body();
      if (answer.statusCode() == 202) {
        String id = RUN_JSON.readTree(body).path("id").asText();
        while (status.equals("QUEUED") || status.equals("RUNNING")) {
          Thread.sleep(200);
          body =
              client
                  .send(
                      HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + id))
                          .header("Authorization", "Bearer " + token)
                          .timeout(Duration.ofMinutes(1))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
          status = RUN_JSON.readTree(body).path("status").asText("unreadable");
        }
      }
      latencies
          .computeIfAbsent("upload", ignored -> Collections.synchronizedList(new ArrayList<>()))
          .add((System.nanoTime() - start) / 1_000_000);
      if (status.startsWith("HTTP") || status.equals("FAILED")) {
        errors.computeIfAbsent("upload", ignored -> new AtomicInteger()).incrementAndGet();
        firstError.putIfAbsent(
            "upload", status + " " + body.substring(0, Math.min(200, body.length())));
      }
    } catch (Exception e) {
      errors.computeIfAbsent("upload", ignored -> new AtomicInteger()).incrementAndGet();
      firstError.putIfAbsent("upload", e.toString());
    }
  }

  private static void awaitHealth(HttpClient client, String base, Process server)
      throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!health(client, base)) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "medlake serve did not become healthy (exit "
                + (server.isAlive() ? "none" : server.exitValue())
                + ")");
      }
      Thread.sleep(200);
    }
  }

  private static boolean health(HttpClient client, String base) {
    try {
      return client
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/health"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** A /proc/PID/status field in bytes (VmRSS: now, VmHWM: peak); 0 when not readable. */
  static long rss(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux, or the process ended
    }
    return 0;
  }
}
