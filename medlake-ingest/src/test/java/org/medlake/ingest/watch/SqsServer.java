package org.medlake.ingest.watch;

import java.net.URI;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.medlake.testkit.S3Server;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS API server (ElasticMQ, in-process) on a free loopback port, for tests, with a client
 * that plays S3's part: it creates queues and publishes object-created notifications.
 */
public final class SqsServer implements AutoCloseable {
  private final SQSRestServer server;
  private final String endpoint;
  private final SqsClient client;

  private SqsServer(SQSRestServer server, String endpoint) {
    this.server = server;
    this.endpoint = endpoint;
    this.client =
        SqsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
  }

  public static SqsServer start() {
    // ElasticMQ takes any signature; the watcher's client finds these through the AWS default
    // chain, as with S3Server
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    SQSRestServer server =
        SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = server.waitUntilStarted().localAddress().getPort();
    return new SqsServer(server, "http://127.0.0.1:" + port);
  }

  public String endpoint() {
    return endpoint;
  }

  /**
   * Creates a queue whose messages come back {@code visibilitySeconds} after a receive that did not
   * delete them.
   */
  public String createQueue(String name, int visibilitySeconds) {
    return client
        .createQueue(
            request ->
                request
                    .queueName(name)
                    .attributes(
                        Map.of(
                            QueueAttributeName.VISIBILITY_TIMEOUT,
                            String.valueOf(visibilitySeconds))))
        .queueUrl();
  }

  public void send(String queueUrl, String body) {
    client.sendMessage(request -> request.queueUrl(queueUrl).messageBody(body));
  }

  /** Messages in the queue, visible or received and not yet deleted. */
  public long messagesIn(String queueUrl) {
    Map<QueueAttributeName, String> attributes =
        client
            .getQueueAttributes(
                request ->
                    request
                        .queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Long.parseLong(
            attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  /**
   * The JSON S3 sends for an event on {@code bucket}/{@code key} (the key URL-encoded, as S3 does).
   */
  public static String s3Notification(String eventName, String bucket, String key, long size) {
    String encoded =
        java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)
            .replace("%2F", "/");
    return """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-25T10:00:00.000Z",\
        "eventName":"%s","s3":{"s3SchemaVersion":"1.0","configurationId":"medlake-landing",\
        "bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},"object":{"key":"%s","size":%d,"eTag":"0123456789abcdef","sequencer":"0055AED6DCD90281E5"}}}]}
        """
        .formatted(eventName, bucket, bucket, encoded, size);
  }

  @Override
  public void close() {
    client.close();
    server.stopAndWait();
  }
}
