package org.medlake.platform.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Sessions in a map of this process. At most {@code capacity} sessions are held: a new one beyond
 * them ends the oldest (sessions are kept in creation order, which is also the order they expire
 * in, so expired ones are dropped from the front at every login).
 */
final class InMemorySessionStore implements SessionStore {

  /** Guarded by itself; in insertion (= creation) order. */
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();

  private final SecureRandom random = new SecureRandom();
  private final Duration lifetime;
  private final int capacity;
  private final Clock clock;

  InMemorySessionStore(Duration lifetime, int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, not " + capacity);
    }
    this.lifetime = lifetime;
    this.capacity = capacity;
    this.clock = clock;
  }

  @Override
  public Session create(User user) {
    Instant now = clock.instant();
    Session session = new Session(token(), token(), user, now.plus(lifetime));
    synchronized (sessions) {
      Iterator<Session> oldest = sessions.values().iterator();
      while (oldest.hasNext()) {
        Session next = oldest.next();
        if (sessions.size() < capacity && !now.isAfter(next.expiresAt())) {
          break;
        }
        oldest.remove();
      }
      sessions.put(session.id(), session);
    }
    return session;
  }

  @Override
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    synchronized (sessions) {
      Session session = sessions.get(id);
      if (session == null) {
        return Optional.empty();
      }
      if (clock.instant().isAfter(session.expiresAt())) {
        sessions.remove(id);
        return Optional.empty();
      }
      return Optional.of(session);
    }
  }

  @Override
  public void end(String id) {
    if (id != null) {
      synchronized (sessions) {
        sessions.remove(id);
      }
    }
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
