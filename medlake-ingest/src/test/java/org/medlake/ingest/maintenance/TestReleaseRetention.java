package org.medlake.ingest.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.ingest.maintenance.ReleaseRetention.SnapshotTime;

class TestReleaseRetention {
  @Test
  void keepsTheLastSnapshotOfEveryPastMonthTheRecentOnesAndTheCurrent() {
    List<SnapshotTime> snapshots =
        List.of(
            new SnapshotTime(1, Instant.parse("2026-01-05T10:00:00Z")),
            new SnapshotTime(2, Instant.parse("2026-01-31T23:59:59Z")), // January's release
            new SnapshotTime(3, Instant.parse("2026-02-01T00:00:00Z")),
            new SnapshotTime(4, Instant.parse("2026-02-14T08:00:00Z")), // February's release
            new SnapshotTime(5, Instant.parse("2026-03-02T08:00:00Z")),
            new SnapshotTime(6, Instant.parse("2026-03-09T08:00:00Z")), // within the keep period
            new SnapshotTime(7, Instant.parse("2026-03-10T08:00:00Z"))); // current
    assertThat(
            ReleaseRetention.retained(
                snapshots, 7, Instant.parse("2026-03-12T00:00:00Z"), Duration.ofDays(7)))
        .containsExactly(2L, 4L, 6L, 7L);
  }

  @Test
  void theRunningMonthHasNoReleaseYet() {
    List<SnapshotTime> snapshots =
        List.of(
            new SnapshotTime(1, Instant.parse("2026-03-01T10:00:00Z")),
            new SnapshotTime(2, Instant.parse("2026-03-02T10:00:00Z")),
            new SnapshotTime(3, Instant.parse("2026-03-03T10:00:00Z")));
    assertThat(
            ReleaseRetention.retained(
                snapshots, 3, Instant.parse("2026-03-30T00:00:00Z"), Duration.ofDays(1)))
        .containsExactly(3L);
  }
}
