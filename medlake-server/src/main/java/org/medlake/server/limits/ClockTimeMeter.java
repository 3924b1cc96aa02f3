package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/** Bucket4j's time source on a {@link Clock}, so tests can move time instead of sleeping. */
final class ClockTimeMeter implements TimeMeter {
  private final Clock clock;

  ClockTimeMeter(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public long currentTimeNanos() {
    Instant now = clock.instant();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }

  @Override
  public boolean isWallClockBased() {
    return true;
  }
}
