package org.medlake.flight;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.SessionStore;
import org.medlake.platform.store.User;

/**
 * Who is calling, on every call: an API token as {@code Authorization: Bearer}, or a user name and
 * password as {@code Authorization: Basic} (the Flight handshake of the JDBC driver, ADBC and the
 * Python client), which is answered with a session bearer the client sends from then on. The
 * session lasts {@code server.session-hours} and ends at once when the user is disabled. Password
 * logins are throttled and audited like the HTTP login.
 */
final class FlightAuthenticator implements CallHeaderAuthenticator {
  static final String SESSION_PREFIX = "mlf_";

  private final FlightAccess access;
  private final AuditLog audit;
  private final Clock clock;
  private final SessionStore sessions;
  private final Cache<String, User> users;

  FlightAuthenticator(
      FlightAccess access, AuditLog audit, Clock clock, Duration sessionLifetime, int maxSessions) {
    this.access = requireNonNull(access, "access is null");
    this.audit = requireNonNull(audit, "audit is null");
    this.clock = requireNonNull(clock, "clock is null");
    // the HTTP API's session store, an instance of its own: a Flight session is not a browser's
    this.sessions = SessionStore.inMemory(sessionLifetime, maxSessions, clock);
    // the user each authenticated name stands for, as last authenticated (the producer's role)
    this.users = Caffeine.newBuilder().maximumSize(100_000).build();
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    try {
      InetAddress client = ClientAddresses.address(headers);
      access.admit(client);
      String bearer = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
      if (bearer != null) {
        return result(bearer(bearer.trim()), Optional.empty());
      }
      String basic = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BASIC_PREFIX);
      if (basic != null) {
        User user = login(client, basic.trim());
        return result(user, Optional.of(SESSION_PREFIX + sessions.create(user).id()));
      }
      throw unauthenticated();
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e, access);
    }
  }

  /** The user a call was authenticated as ({@code peerIdentity} is the user's name). */
  User user(String peerIdentity) {
    User user = peerIdentity == null ? null : users.getIfPresent(peerIdentity);
    if (user == null) {
      throw unauthenticated();
    }
    return user;
  }

  private User bearer(String secret) {
    if (secret.startsWith(SESSION_PREFIX)) {
      String id = secret.substring(SESSION_PREFIX.length());
      String name =
          sessions
              .find(id)
              .map(session -> session.user().name())
              .orElseThrow(FlightAuthenticator::unauthenticated);
      // disabled or deleted since the login: the session ends now
      Optional<User> current = access.current(name);
      if (current.isEmpty()) {
        sessions.end(id);
        throw unauthenticated();
      }
      return current.get();
    }
    return access.token(secret).orElseThrow(FlightAuthenticator::unauthenticated);
  }

  private User login(InetAddress client, String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new MedlakeException(ErrorCode.BAD_REQUEST, "The Basic credentials are not Base64");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new MedlakeException(ErrorCode.BAD_REQUEST, "The Basic credentials have no ':'");
    }
    String name = decoded.substring(0, colon);
    char[] password = decoded.substring(colon + 1).toCharArray();
    AuditEvent.Builder event =
        AuditEvent.builder()
            .at(Instant.now(clock))
            .actor(name.isBlank() ? AuditEvent.ANONYMOUS : name)
            .clientIp(client.getHostAddress())
            .detail("interface", FlightSqlEndpoint.INTERFACE);
    try {
      User user =
          access
              .login(client, name, password)
              .orElseThrow(
                  () ->
                      new MedlakeException(
                          ErrorCode.UNAUTHENTICATED, "Wrong user name or password"));
      audit.record(
          event.action(AuditAction.LOGIN).outcome(AuditOutcome.OK).role(user.role()).build());
      return user;
    } catch (MedlakeException e) {
      audit.record(
          event
              .action(AuditAction.LOGIN_FAILED)
              .outcome(AuditOutcome.REFUSED)
              .detail("error_code", e.errorCode().name())
              .build());
      throw e;
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  private AuthResult result(User user, Optional<String> session) {
    users.put(user.name(), user);
    return new AuthResult() {
      @Override
      public String getPeerIdentity() {
        return user.name();
      }

      @Override
      public void appendToOutgoingHeaders(CallHeaders outgoingHeaders) {
        session.ifPresent(
            secret ->
                outgoingHeaders.insert(
                    Auth2Constants.AUTHORIZATION_HEADER, Auth2Constants.BEARER_PREFIX + secret));
      }
    };
  }

  static MedlakeException unauthenticated() {
    return new MedlakeException(
        ErrorCode.UNAUTHENTICATED,
        "Send an API token (Authorization: Bearer ...) or a user name and password");
  }
}
