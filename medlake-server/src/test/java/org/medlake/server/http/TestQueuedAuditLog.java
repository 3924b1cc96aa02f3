package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.AuditQuery;

class TestQueuedAuditLog {
  @Test
  void searchSeesEveryEventHandedInBeforeItAndCloseReleasesTheLog() throws Exception {
    CollectingLog collecting = new CollectingLog();
    QueuedAuditLog queued = new QueuedAuditLog(collecting);
    ExecutorService requests = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> handedIn = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        String actor = "user" + thread;
        handedIn.add(
            requests.submit(
                () -> {
                  for (int i = 0; i < 2_500; i++) {
                    queued.record(
                        AuditEvent.builder()
                            .at(Instant.EPOCH)
                            .actor(actor)
                            .action(AuditAction.QUERY)
                            .outcome(AuditOutcome.OK)
                            .build());
                  }
                }));
      }
      for (Future<?> future : handedIn) {
        future.get();
      }

      assertThat(queued.search(AuditQuery.builder().build())).hasSize(10_000);
      assertThat(collecting.batches()).isLessThan(10_000);
    } finally {
      requests.shutdown();
    }
    queued.close();
    assertThat(collecting.closed).isTrue();
  }

  /** Keeps what it is given; search answers every event. */
  private static final class CollectingLog implements AuditLog {
    private final List<AuditEvent> events = new ArrayList<>();
    private int batches;
    private volatile boolean closed;

    @Override
    public synchronized void record(AuditEvent event) {
      recordAll(List.of(event));
    }

    @Override
    public synchronized void recordAll(List<AuditEvent> batch) {
      events.addAll(batch);
      batches++;
    }

    @Override
    public synchronized List<AuditEvent> search(AuditQuery query) {
      return List.copyOf(events);
    }

    synchronized int batches() {
      return batches;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
