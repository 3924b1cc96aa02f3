package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medlake.core.security.Role;
import org.medlake.platform.store.SessionStore.Session;
import org.medlake.testkit.MutableClock;

class TestSessionStore {
  private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
  private static final User ADA = new User("ada", Role.ANALYST, Optional.empty(), true, START);
  private static final User BOB = new User("bob", Role.VIEWER, Optional.empty(), true, START);

  private final MutableClock clock = new MutableClock(START);
  private final SessionStore sessions = SessionStore.inMemory(Duration.ofHours(8), 2, clock);

  @Test
  void aSessionIsFoundUntilItEndsOrExpires() {
    Session session = sessions.create(ADA);
    assertThat(session.id()).isNotEqualTo(session.csrfToken()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(session.expiresAt()).isEqualTo(START.plus(Duration.ofHours(8)));
    assertThat(sessions.find(session.id())).contains(session);

    clock.advance(Duration.ofHours(8));
    assertThat(sessions.find(session.id())).as("valid up to its expiry instant").contains(session);
    clock.advance(Duration.ofNanos(1));
    assertThat(sessions.find(session.id())).isEmpty();

    Session next = sessions.create(ADA);
    sessions.end(next.id());
    assertThat(sessions.find(next.id())).isEmpty();
  }

  @Test
  void everyLoginGetsANewIdAndBeyondCapacityTheOldestEnds() {
    Session first = sessions.create(ADA);
    Session second = sessions.create(BOB);
    Session third = sessions.create(ADA);

    assertThat(third.id()).isNotEqualTo(first.id());
    assertThat(sessions.find(first.id())).isEmpty();
    assertThat(sessions.find(second.id())).map(Session::user).contains(BOB);
    assertThat(sessions.find(third.id())).map(Session::user).contains(ADA);
  }

  @Test
  void unknownAndNullIdsFindNothingAndEndNothing() {
    Session session = sessions.create(ADA);
    assertThat(sessions.find(null)).isEmpty();
    assertThat(sessions.find("no-such-session")).isEmpty();
    sessions.end(null);
    sessions.end("no-such-session");
    assertThat(sessions.find(session.id())).contains(session);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> SessionStore.inMemory(Duration.ofHours(1), 0, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be positive, not 0");
  }
}
