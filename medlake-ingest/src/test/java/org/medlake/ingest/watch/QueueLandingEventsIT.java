package org.medlake.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medlake.core.config.WatchConfig;

/** Reading S3 event notifications: what S3 puts in a message, directly or through SNS. */
class QueueLandingEventsIT {
  @Test
  void keysAreUrlDecodedAndOnlyCreatedDeliveriesCount() {
    String body =
        """
        {"Records":[
          {"eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"landing"},"object":{"key":"h1/2026-01/lab+results%C3%A9+%2B1.csv.gz","size":5}}},
          {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"landing"},"object":{"key":"h1/2026-01/old.csv"}}},
          {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"landing"},"object":{"key":"h1/2026-01/lab.csv.rejects.csv","size":5}}},
          {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"landing"},"object":{"key":"h1/2026-01/.lab.csv","size":5}}},
          {"eventName":"ObjectCreated:Copy","s3":{"bucket":{"name":"landing"},"object":{"key":"h1/2026-01/notes.txt","size":5}}},
          {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"landing"},"object":{"size":5}}}
        ]}""";
    assertThat(QueueLandingEvents.locations("m-1", body))
        .containsExactly("s3://landing/h1/2026-01/lab resultsé +1.csv.gz");
  }

  @Test
  void aNotificationInAnSnsEnvelopeIsRead() throws Exception {
    String notification =
        SqsServer.s3Notification("ObjectCreated:Put", "landing", "h2/2026-02/lab 2.csv", 42);
    String envelope =
        new ObjectMapper()
            .writeValueAsString(
                Map.of("Type", "Notification", "MessageId", "m-2", "Message", notification));
    assertThat(QueueLandingEvents.locations("m-2", envelope))
        .containsExactly("s3://landing/h2/2026-02/lab 2.csv");
  }

  @Test
  void anUnreachableQueueIsRetriedNotFatal() throws Exception {
    SqsServer stopped = SqsServer.start();
    String queueUrl = stopped.createQueue("gone", 30);
    String endpoint = stopped.endpoint();
    stopped.close();
    WatchConfig config =
        new WatchConfig(
            false, 10, 60, Optional.of(queueUrl), Optional.of(endpoint), Optional.empty());
    try (QueueLandingEvents events = QueueLandingEvents.open(config)) {
      assertThat(events.poll(Duration.ZERO)).isEmpty();
      assertThat(events.poll(Duration.ZERO)).isEmpty();
    }
  }

  @Test
  void messagesThatAreNotNotificationsAnnounceNothing() {
    assertThat(
            QueueLandingEvents.locations(
                "m-3", "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}"))
        .isEmpty();
    assertThat(QueueLandingEvents.locations("m-4", "not json")).isEmpty();
    assertThat(QueueLandingEvents.locations("m-5", "{\"Records\":{}}")).isEmpty();
  }
}
