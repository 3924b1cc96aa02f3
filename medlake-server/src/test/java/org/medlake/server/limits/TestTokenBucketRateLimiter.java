package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.medlake.testkit.MutableClock;

class TestTokenBucketRateLimiter {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));

  @Test
  void admitsThePermitsThenSaysHowLongToWait() {
    RateLimiter limiter = RateLimiter.tokenBucket(3, Duration.ofMinutes(1), 100, clock);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.admit("ada").granted()).isTrue();
    }
    RateLimiter.Admission refused = limiter.admit("ada");
    assertThat(refused.granted()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(limiter.admit("bob").granted()).as("keys have buckets of their own").isTrue();
  }

  @Test
  void refillsSmoothlyAsTheClockMoves() {
    RateLimiter limiter = RateLimiter.tokenBucket(3, Duration.ofMinutes(1), 100, clock);
    for (int i = 0; i < 3; i++) {
      limiter.admit("ada");
    }
    clock.advance(Duration.ofSeconds(19));
    assertThat(limiter.admit("ada").retryAfter()).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.admit("ada").granted()).isTrue();
    assertThat(limiter.admit("ada").granted()).isFalse();
    clock.advance(Duration.ofMinutes(5));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.admit("ada").granted())
          .as("a full bucket holds no more than its permits")
          .isTrue();
    }
    assertThat(limiter.admit("ada").granted()).isFalse();
  }

  @Test
  void resetGivesAFullAllowance() {
    RateLimiter limiter = RateLimiter.tokenBucket(1, Duration.ofMinutes(15), 100, clock);
    limiter.admit("ada");
    assertThat(limiter.admit("ada").granted()).isFalse();
    limiter.reset("ada");
    assertThat(limiter.admit("ada").granted()).isTrue();
  }

  @Test
  void keepsAtMostMaxKeysBuckets() {
    TokenBucketRateLimiter limiter =
        new TokenBucketRateLimiter(1, Duration.ofMinutes(1), 10, clock);
    for (int i = 0; i < 10_000; i++) {
      limiter.admit("client-" + i);
    }
    assertThat(limiter.estimatedKeys()).isLessThanOrEqualTo(10);
  }
}
