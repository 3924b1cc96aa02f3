package org.medlake.ingest.watch;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medlake.core.config.WatchConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.LandingFiles;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Landing events from an SQS(-compatible) queue that an S3 bucket sends its object-created
 * notifications to (directly, or through SNS). Each {@code ObjectCreated:*} record whose key is a
 * delivery becomes an event for {@code s3://bucket/key}; the message is deleted only when every
 * event it carried is acknowledged, i.e. after the files' runs are recorded. A watcher that dies
 * before that leaves the message in the queue, which hands it out again after its visibility
 * timeout: delivery is at least once, and the ingest's checksum check makes a repeat harmless.
 * Messages with nothing to ingest (other events, rejects reports, hidden or non-CSV keys, S3's test
 * event) are deleted at once with a log line. Not thread-safe: one watcher thread polls it.
 */
public final class QueueLandingEvents implements LandingEvents {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(QueueLandingEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The longest wait SQS allows for a long poll. */
  private static final int MAX_WAIT_SECONDS = 20;

  private final SqsClient sqs;
  private final String queueUrl;

  /** Receipt handle -> events of that message not yet acknowledged. */
  private final Map<String, Integer> outstanding = new HashMap<>();

  private boolean failing;

  QueueLandingEvents(SqsClient sqs, String queueUrl) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.queueUrl = requireNonNull(queueUrl, "queueUrl is null");
  }

  /** Watches {@code watch.queue-url}; credentials come from the AWS default chain. */
  public static QueueLandingEvents open(WatchConfig config) {
    String queueUrl =
        config
            .queueUrl()
            .orElseThrow(() -> new IllegalArgumentException("watch.queue-url is not set"));
    SqsClientBuilder builder =
        SqsClient.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    // a long poll holds the connection for up to 20 s
                    .socketTimeout(Duration.ofSeconds(MAX_WAIT_SECONDS + 10)));
    config.queueEndpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
    // an SQS-compatible server accepts any region, but the SDK insists on one
    config
        .queueRegion()
        .or(() -> config.queueEndpoint().map(ignored -> "us-east-1"))
        .ifPresent(region -> builder.region(Region.of(region)));
    try {
      return new QueueLandingEvents(builder.build(), queueUrl);
    } catch (SdkException e) {
      throw new MedlakeException(
          ErrorCode.INVALID_CONFIG,
          "Cannot set up the queue client for " + queueUrl + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Receives one message, waiting up to {@code timeout} (at most 20 s), and returns its deliveries.
   */
  @Override
  public List<LandingEvent> poll(Duration timeout) throws InterruptedException {
    int waitSeconds = (int) Math.min(MAX_WAIT_SECONDS, Math.max(0, timeout.toSeconds()));
    List<Message> messages;
    try {
      // one message at a time: the next one's visibility timeout starts only when it is taken
      messages =
          sqs.receiveMessage(
                  request ->
                      request
                          .queueUrl(queueUrl)
                          .maxNumberOfMessages(1)
                          .waitTimeSeconds(waitSeconds))
              .messages();
    } catch (SdkException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("Interrupted while polling " + queueUrl);
      }
      // an unreachable queue is retried after the poll's time, with one warning per outage
      if (!failing) {
        LOG.warn("Cannot receive from {} (retrying): {}", queueUrl, e.getMessage());
      }
      failing = true;
      Thread.sleep(Math.max(1_000, timeout.toMillis()));
      return List.of();
    }
    if (failing) {
      LOG.info("Receiving from {} again", queueUrl);
      failing = false;
    }
    List<LandingEvent> events = new ArrayList<>();
    for (Message message : messages) {
      List<LandingEvent> deliveries = deliveries(message);
      if (deliveries.isEmpty()) {
        delete(message.receiptHandle());
      } else {
        outstanding.put(message.receiptHandle(), deliveries.size());
        events.addAll(deliveries);
      }
    }
    return events;
  }

  @Override
  public void acknowledge(LandingEvent event) {
    Integer remaining = outstanding.get(event.receipt());
    if (remaining == null) {
      return;
    }
    if (remaining > 1) {
      outstanding.put(event.receipt(), remaining - 1);
      return;
    }
    outstanding.remove(event.receipt());
    delete(event.receipt());
  }

  private void delete(String receiptHandle) {
    try {
      sqs.deleteMessage(request -> request.queueUrl(queueUrl).receiptHandle(receiptHandle));
    } catch (SdkException e) {
      // the message comes again after its visibility timeout; ingesting it again is harmless
      LOG.warn(
          "Cannot delete a message from {} (it will be handed out again): {}",
          queueUrl,
          e.getMessage());
    }
  }

  private static List<LandingEvent> deliveries(Message message) {
    List<String> locations = locations(message.messageId(), message.body());
    List<LandingEvent> events = new ArrayList<>();
    for (String location : locations) {
      events.add(LandingEvent.object(location, message.receiptHandle()));
    }
    return events;
  }

  /**
   * The {@code s3://} locations of the deliveries an S3 event notification (or its SNS envelope)
   * announces.
   */
  static List<String> locations(String messageId, String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
      // S3 -> SNS -> SQS: the notification is a string inside SNS's envelope
      if (root.path("Type").asText().equals("Notification") && root.path("Message").isTextual()) {
        root = JSON.readTree(root.path("Message").asText());
      }
    } catch (JsonProcessingException e) {
      LOG.warn("Ignored message {}: not JSON, not an S3 event notification", messageId);
      return List.of();
    }
    if (!root.path("Records").isArray()) {
      LOG.info(
          "Ignored message {}: no Records (event {})",
          messageId,
          root.path("Event").asText("unknown"));
      return List.of();
    }
    List<String> locations = new ArrayList<>();
    for (JsonNode record : root.path("Records")) {
      String eventName = record.path("eventName").asText();
      String bucket = record.path("s3").path("bucket").path("name").asText();
      String encodedKey = record.path("s3").path("object").path("key").asText();
      if (bucket.isEmpty() || encodedKey.isEmpty()) {
        LOG.warn("Ignored a record of message {}: no s3.bucket.name or s3.object.key", messageId);
        continue;
      }
      // keys in S3 notifications are URL-encoded, a space as '+'
      String location =
          "s3://" + bucket + "/" + URLDecoder.decode(encodedKey, StandardCharsets.UTF_8);
      if (!eventName.startsWith("ObjectCreated:")) {
        LOG.info("Ignored {} for {}: not an object-created event", eventName, location);
      } else if (!LandingFiles.isDelivery(location)) {
        LOG.info(
            "Ignored {}: not a delivery (hidden, a rejects report, or not .csv/.csv.gz)", location);
      } else {
        LOG.debug(
            "{} for {} ({} bytes)",
            eventName,
            location,
            record.path("s3").path("object").path("size").asLong(-1));
        locations.add(location);
      }
    }
    return locations;
  }

  @Override
  public void close() {
    sqs.close();
  }
}
