package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;

/** Admits at most a number of events per period for each key (a user, an address, an account). */
public interface RateLimiter {
  /** Takes one permit for {@code key}, or says how long to wait for the next. */
  Admission admit(String key);

  /** Forgets {@code key}: its next event starts with a full allowance. */
  void reset(String key);

  /**
   * A token bucket per key holding {@code permits}, refilled smoothly at {@code permits} per {@code
   * period}. Keys unused for a whole period are forgotten (their bucket would be full again), and
   * at most {@code maxKeys} are kept, so memory is bounded.
   */
  static RateLimiter tokenBucket(long permits, Duration period, long maxKeys, Clock clock) {
    return new TokenBucketRateLimiter(permits, period, maxKeys, clock);
  }

  /** The answer of {@link #admit}: granted, or refused with the time until a permit is free. */
  record Admission(boolean granted, Duration retryAfter) {
    public Admission {
      requireNonNull(retryAfter, "retryAfter is null");
    }

    static Admission grant() {
      return new Admission(true, Duration.ZERO);
    }

    static Admission refuse(Duration retryAfter) {
      return new Admission(false, retryAfter);
    }
  }
}
