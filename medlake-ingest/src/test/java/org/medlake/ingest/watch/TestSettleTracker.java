package org.medlake.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.medlake.ingest.watch.SettleTracker.FileState;

class TestSettleTracker {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Path FILE = Path.of("landing/h001/2026-01/lab.csv");

  @Test
  void aFileIsHandedOutOnlyAfterItStoppedChangingForTheSettleTime() {
    SettleTracker tracker = new SettleTracker(Duration.ofSeconds(10));
    tracker.observe(FILE, new FileState(100, 1), T0);
    assertThat(tracker.settled(T0.plusSeconds(9))).isEmpty();
    // still being written: the clock starts again
    tracker.observe(FILE, new FileState(200, 2), T0.plusSeconds(9));
    assertThat(tracker.settled(T0.plusSeconds(15))).isEmpty();
    tracker.observe(FILE, new FileState(200, 2), T0.plusSeconds(15));
    assertThat(tracker.settled(T0.plusSeconds(19))).containsExactly(FILE);
  }

  @Test
  void aHandedOutFileComesAgainOnlyWhenItChanges() {
    SettleTracker tracker = new SettleTracker(Duration.ofSeconds(1));
    tracker.observe(FILE, new FileState(100, 1), T0);
    assertThat(tracker.settled(T0.plusSeconds(1))).containsExactly(FILE);
    // a rescan sees the same file again
    tracker.observe(FILE, new FileState(100, 1), T0.plusSeconds(5));
    assertThat(tracker.pending()).isEmpty();
    assertThat(tracker.settled(T0.plusSeconds(60))).isEmpty();
    // a resubmission under the same name
    tracker.observe(FILE, new FileState(120, 9), T0.plusSeconds(61));
    assertThat(tracker.settled(T0.plusSeconds(62))).containsExactly(FILE);
  }

  @Test
  void aDeletedFileIsForgotten() {
    SettleTracker tracker = new SettleTracker(Duration.ofSeconds(1));
    tracker.observe(FILE, new FileState(100, 1), T0);
    tracker.forget(FILE);
    assertThat(tracker.settled(T0.plusSeconds(5))).isEmpty();
  }
}
