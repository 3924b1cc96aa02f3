package org.medlake.server.http;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.medlake.server.auth.User;

/**
 * Browser sessions: a random id in an HttpOnly cookie and a CSRF token the page sends back in a
 * header on every state-changing request. A login always creates a new session id.
 */
final class Sessions {
  record Session(String id, String csrfToken, User user, Instant expiresAt) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Duration lifetime;
  private final Clock clock;

  Sessions(Duration lifetime, Clock clock) {
    this.lifetime = lifetime;
    this.clock = clock;
  }

  Session create(User user) {
    Session session = new Session(token(), token(), user, clock.instant().plus(lifetime));
    sessions.put(session.id(), session);
    return session;
  }

  Optional<Session> find(String id) {
    Session session = id == null ? null : sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (clock.instant().isAfter(session.expiresAt())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
