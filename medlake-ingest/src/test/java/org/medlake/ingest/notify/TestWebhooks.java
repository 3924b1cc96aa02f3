package org.medlake.ingest.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * Webhooks against a real local HTTP server: signed bodies, retries with back-off, no retry on a
 * refusal.
 */
class TestWebhooks {
  private static final byte[] SECRET =
      "a-webhook-secret-of-some-length".getBytes(StandardCharsets.UTF_8);

  private record Received(String event, String delivery, String signature, byte[] body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> answers = new ArrayDeque<>();
  private HttpServer server;

  private URI start(Integer... statuses) throws Exception {
    answers.addAll(Arrays.asList(statuses));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  exchange.getRequestHeaders().getFirst("X-Medlake-Event"),
                  exchange.getRequestHeaders().getFirst("X-Medlake-Delivery"),
                  exchange.getRequestHeaders().getFirst("X-Medlake-Signature"),
                  body));
          Integer status;
          synchronized (answers) {
            status = answers.size() > 1 ? answers.poll() : answers.peek();
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aFinishedRunIsPostedSignedAndRetriedUntilTheReceiverTakesIt() throws Exception {
    URI url = start(503, 503, 204);
    Webhooks webhooks = new Webhooks(List.of(url), Optional.of(SECRET), 5, Duration.ofMillis(5));
    webhooks.finished(run(RunStatus.SUCCEEDED));
    assertThat(webhooks.drain(Duration.ofMinutes(1))).isTrue();

    assertThat(received).hasSize(3);
    assertThat(received).extracting(Received::delivery).containsOnly(received.get(0).delivery());
    Received last = received.get(2);
    assertThat(last.event()).isEqualTo("run.finished");
    assertThat(last.signature()).isEqualTo("sha256=" + Webhooks.sign(SECRET, last.body()));
    JsonNode body = new ObjectMapper().readTree(last.body());
    assertThat(body.get("event").asText()).isEqualTo("run.finished");
    assertThat(body.at("/data/run_id").asText()).isEqualTo("run-1");
    assertThat(body.at("/data/rows_rejected").asLong()).isEqualTo(3);
    assertThat(body.at("/data/rejected_by_reason/INVALID_LOINC").asLong()).isEqualTo(3);
  }

  @Test
  void aReceiverThatKeepsFailingGetsTheConfiguredNumberOfAttempts() throws Exception {
    URI url = start(500);
    Webhooks webhooks = new Webhooks(List.of(url), Optional.empty(), 3, Duration.ofMillis(5));
    webhooks.finished(run(RunStatus.FAILED));
    assertThat(webhooks.drain(Duration.ofMinutes(1))).isTrue();
    assertThat(received).hasSize(3).extracting(Received::event).containsOnly("run.failed");
    assertThat(received).extracting(Received::signature).containsOnlyNulls();
  }

  @Test
  void aRefusalIsNotRetriedAndAMissingDeliveryIsAnEventOfItsOwn() throws Exception {
    URI url = start(400);
    Webhooks webhooks = new Webhooks(List.of(url), Optional.of(SECRET), 5, Duration.ofMillis(5));
    webhooks.missingDelivery("H001", "h001", YearMonth.of(2026, 10));
    assertThat(webhooks.drain(Duration.ofMinutes(1))).isTrue();
    assertThat(received).hasSize(1);
    JsonNode body = new ObjectMapper().readTree(received.get(0).body());
    assertThat(body.get("event").asText()).isEqualTo("delivery.missing");
    assertThat(body.at("/data/hospital_id").asText()).isEqualTo("H001");
    assertThat(body.at("/data/month").asText()).isEqualTo("2026-10");
  }

  private static IngestRun run(RunStatus status) {
    return new IngestRun(
        "run-1",
        "landing/h001/2026-10/lab.csv",
        "h001",
        "ab".repeat(32),
        "H001",
        "2026-10",
        status,
        Instant.parse("2026-11-01T02:00:00Z"),
        100,
        97,
        3,
        0,
        Map.of("INVALID_LOINC", 3L),
        5000,
        1000,
        1200,
        status == RunStatus.FAILED ? null : 42L,
        status == RunStatus.FAILED ? "line 1: wrong delimiter" : "");
  }
}
