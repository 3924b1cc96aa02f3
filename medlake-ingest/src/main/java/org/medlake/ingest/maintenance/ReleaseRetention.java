package org.medlake.ingest.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which snapshots survive expiry. A <em>monthly release</em> is the last snapshot committed in a
 * calendar month (UTC): the state a study cites as "the data as of the end of March 2026" and
 * reproduces with {@code --as-of}. Every monthly release is kept for good, and so is every snapshot
 * younger than the keep period and the current one; everything else may be expired.
 */
public final class ReleaseRetention {
  /** A snapshot's id and commit time. */
  public record SnapshotTime(long id, Instant committedAt) {}

  private ReleaseRetention() {}

  public static Set<Long> retained(
      List<SnapshotTime> snapshots, long currentId, Instant now, Duration keep) {
    Map<YearMonth, SnapshotTime> lastOfMonth = new HashMap<>();
    for (SnapshotTime snapshot : snapshots) {
      YearMonth month = YearMonth.from(snapshot.committedAt().atOffset(ZoneOffset.UTC));
      SnapshotTime last = lastOfMonth.get(month);
      if (last == null || !snapshot.committedAt().isBefore(last.committedAt())) {
        lastOfMonth.put(month, snapshot);
      }
    }
    Set<Long> retained = new TreeSet<>();
    retained.add(currentId);
    YearMonth currentMonth = YearMonth.from(now.atOffset(ZoneOffset.UTC));
    lastOfMonth.forEach(
        (month, snapshot) -> {
          // the running month has no release yet: its last snapshot is still moving
          if (month.isBefore(currentMonth)) {
            retained.add(snapshot.id());
          }
        });
    for (SnapshotTime snapshot : snapshots) {
      if (snapshot.committedAt().isAfter(now.minus(keep))) {
        retained.add(snapshot.id());
      }
    }
    return retained;
  }
}
