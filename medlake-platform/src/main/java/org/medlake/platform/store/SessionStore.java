package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Browser sessions: a random id in an HttpOnly cookie and a CSRF token the page sends back in a
 * header on every state-changing request. A login always creates a new session id.
 */
public interface SessionStore {
  /** A session of {@code user}, valid until {@code expiresAt}. */
  record Session(String id, String csrfToken, User user, Instant expiresAt) {
    public Session {
      requireNonNull(id, "id is null");
      requireNonNull(csrfToken, "csrfToken is null");
      requireNonNull(user, "user is null");
      requireNonNull(expiresAt, "expiresAt is null");
    }
  }

  /** A new session for {@code user}; beyond the store's capacity it ends the oldest. */
  Session create(User user);

  /** The session with this id, if it exists and has not expired; empty for a null id. */
  Optional<Session> find(String id);

  /** Ends the session; nothing happens for an unknown or null id. */
  void end(String id);

  /**
   * Sessions held in this process's memory: they end when the server stops, and each server of a
   * deployment has its own (docs/ARCHITECTURE.md, "Sessions stay in memory").
   *
   * @param capacity sessions held at most; a new one beyond them ends the oldest
   */
  static SessionStore inMemory(Duration lifetime, int capacity, Clock clock) {
    return new InMemorySessionStore(lifetime, capacity, clock);
  }
}
