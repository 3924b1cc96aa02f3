package org.medlake.ingest.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medlake.core.config.WebhookConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.watch.RunListener;

/**
 * Webhooks: a JSON POST per event and URL, sent on a thread of its own so that a slow receiver
 * never holds up ingestion. A delivery that fails (no connection, 429 or 5xx) is retried with
 * exponential back-off; every attempt carries the same {@code X-Medlake-Delivery} id so that the
 * receiver can drop repeats. With a secret, {@code X-Medlake-Signature: sha256=<hex>} is the
 * HMAC-SHA256 of the body. Bodies hold run figures, never rows.
 */
public final class Webhooks implements RunListener, AutoCloseable {
  public static final String SECRET_VARIABLE = "MEDLAKE_WEBHOOK_SECRET";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Webhooks.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<URI> urls;
  private final Optional<byte[]> secret;
  private final int attempts;
  private final Duration initialBackoff;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "medlake-webhooks");
            thread.setDaemon(true);
            return thread;
          });

  Webhooks(List<URI> urls, Optional<byte[]> secret, int attempts, Duration initialBackoff) {
    this.urls = List.copyOf(urls);
    this.secret = requireNonNull(secret, "secret is null");
    this.attempts = attempts;
    this.initialBackoff = requireNonNull(initialBackoff, "initialBackoff is null");
  }

  /**
   * Webhooks as configured; the secret comes from {@code MEDLAKE_WEBHOOK_SECRET} or the configured
   * file.
   */
  public static Webhooks create(
      WebhookConfig config, org.medlake.core.config.Environment environment) {
    Optional<byte[]> secret =
        environment
            .get(SECRET_VARIABLE)
            .map(value -> value.getBytes(StandardCharsets.UTF_8))
            .or(
                () ->
                    config
                        .secretFile()
                        .map(
                            file -> {
                              try {
                                return Files.readString(file, StandardCharsets.UTF_8)
                                    .strip()
                                    .getBytes(StandardCharsets.UTF_8);
                              } catch (IOException e) {
                                throw new ValidationException(
                                    ErrorCode.INVALID_CONFIG,
                                    "webhooks.secret-file: cannot read "
                                        + file
                                        + ": "
                                        + e.getMessage());
                              }
                            }));
    return new Webhooks(
        config.urls(), secret, config.attempts(), Duration.ofMillis(config.initialBackoffMillis()));
  }

  @Override
  public void finished(IngestRun run) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("run_id", run.id());
    data.put("source_file", run.sourceFile());
    data.put("source_id", run.sourceId());
    data.put("hospital_id", run.hospitalId());
    data.put("month", run.month());
    data.put("status", run.status().name());
    data.put("rows_read", run.rowsRead());
    data.put("rows_accepted", run.rowsAccepted());
    data.put("rows_rejected", run.rowsRejected());
    data.put("rejected_by_reason", run.rejectedByReason());
    data.put("snapshot_id", run.snapshotId());
    data.put("message", run.message());
    send(
        switch (run.status()) {
          case FAILED -> "run.failed";
          case HELD -> "run.held";
          case QUEUED, RUNNING, SUCCEEDED, DUPLICATE -> "run.finished";
        },
        data);
  }

  /** A hospital that has not delivered for {@code month}. */
  public void missingDelivery(String hospitalId, String source, YearMonth month) {
    send(
        "delivery.missing",
        Map.of("hospital_id", hospitalId, "source_id", source, "month", month.toString()));
  }

  private void send(String event, Map<String, Object> data) {
    if (urls.isEmpty()) {
      return;
    }
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("event", event);
    envelope.put("delivery_id", UUID.randomUUID().toString());
    envelope.put("sent_at", Instant.now().toString());
    envelope.put("data", data);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    for (URI url : urls) {
      sender.execute(() -> deliver(url, event, (String) envelope.get("delivery_id"), body));
    }
  }

  private void deliver(URI url, String event, String deliveryId, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("User-Agent", "medlake-webhooks")
            .header("X-Medlake-Event", event)
            .header("X-Medlake-Delivery", deliveryId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    secret.ifPresent(key -> request.header("X-Medlake-Signature", "sha256=" + sign(key, body)));
    Duration backoff = initialBackoff;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      String outcome;
      try {
        int status =
            client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status < 300) {
          return;
        }
        if (status != 429 && status < 500) {
          LOG.warn("Webhook {} to {} refused with HTTP {}; not retried", event, url, status);
          return;
        }
        outcome = "HTTP " + status;
      } catch (IOException e) {
        outcome =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (attempt == attempts) {
        LOG.error(
            "Webhook {} to {} failed after {} attempts ({}); given up",
            event,
            url,
            attempts,
            outcome);
        return;
      }
      LOG.warn(
          "Webhook {} to {} failed ({}), attempt {} of {}; next in {} ms",
          event,
          url,
          outcome,
          attempt,
          attempts,
          backoff.toMillis());
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = backoff.multipliedBy(2);
    }
  }

  /**
   * Hex HMAC-SHA256 of {@code body}: what a receiver recomputes to check {@code
   * X-Medlake-Signature}.
   */
  public static String sign(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for queued deliveries (with their retries) to finish, up to {@code timeout}. */
  public boolean drain(Duration timeout) throws InterruptedException {
    sender.shutdown();
    return sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    try {
      if (!drain(Duration.ofSeconds(30))) {
        LOG.warn("Webhook deliveries still pending at shutdown were dropped");
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sender.shutdownNow();
    }
  }
}
