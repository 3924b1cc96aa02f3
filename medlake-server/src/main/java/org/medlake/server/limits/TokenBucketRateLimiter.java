package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Clock;
import java.time.Duration;

/** Bucket4j token buckets in a bounded Caffeine cache, both on the same clock. */
final class TokenBucketRateLimiter implements RateLimiter {
  private final long permits;
  private final Duration period;
  private final ClockTimeMeter time;
  private final Cache<String, Bucket> buckets;

  TokenBucketRateLimiter(long permits, Duration period, long maxKeys, Clock clock) {
    if (permits <= 0 || maxKeys <= 0) {
      throw new IllegalArgumentException(
          "permits and maxKeys must be positive, not " + permits + " and " + maxKeys);
    }
    this.permits = permits;
    this.period = requireNonNull(period, "period is null");
    this.time = new ClockTimeMeter(clock);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(period)
            .ticker(time::currentTimeNanos)
            // Maintenance (eviction) in the calling thread: cheap, and no pool thread to wait for.
            .executor(Runnable::run)
            .build();
  }

  @Override
  public Admission admit(String key) {
    requireNonNull(key, "key is null");
    ConsumptionProbe probe =
        buckets.get(key, unused -> newBucket()).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Admission.grant()
        : Admission.refuse(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  @Override
  public void reset(String key) {
    buckets.invalidate(requireNonNull(key, "key is null"));
  }

  long estimatedKeys() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(permits).refillGreedy(permits, period))
        .withCustomTimePrecision(time)
        .build();
  }
}
