package org.medlake.server.http;

import static java.util.Objects.requireNonNull;
import static org.medlake.server.http.RequestBodies.body;
import static org.medlake.server.http.RequestBodies.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.SessionStore;
import org.medlake.platform.store.User;

/**
 * Who is calling: the authentication filter (bearer token or session cookie), login, logout and
 * {@code /me}.
 */
final class SessionRoutes {
  static final String SESSION_COOKIE = "medlake_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Set<HandlerType> STATE_CHANGING =
      Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

  /**
   * One digest per thread for the token cache's keys: looking the algorithm up costs more than
   * hashing a token.
   */
  private static final ThreadLocal<java.security.MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private final ServerServices services;

  SessionRoutes(ServerServices services) {
    this.services = requireNonNull(services, "services is null");
  }

  void register(Javalin app) {
    app.post("/api/v1/login", this::login);
    app.post("/api/v1/logout", this::logout);
    app.get("/api/v1/me", context -> context.json(me(Caller.require(context, Role.values()))));
  }

  /** Bearer token or session cookie; state-changing session requests must carry the CSRF token. */
  void authenticate(Context context) {
    if (context.path().equals("/api/v1/login") || context.path().equals("/api/openapi.json")) {
      return;
    }
    String authorization = context.header("Authorization");
    if (authorization != null && authorization.startsWith("Bearer ")) {
      String secret = authorization.substring(7).trim();
      String key = sha256(secret);
      User user = services.tokens.getIfPresent(key);
      if (user == null) {
        user =
            services.platform.tokens().authenticate(secret).orElseThrow(ApiErrors::unauthenticated);
        services.tokens.put(key, user);
      }
      Caller.set(context, user);
      return;
    }
    SessionStore.Session session =
        services
            .sessions
            .find(context.cookie(SESSION_COOKIE))
            .orElseThrow(ApiErrors::unauthenticated);
    // the user as the platform database has it now: disabled, deleted or changed ends the session
    // at once
    if (!services
        .platform
        .users()
        .find(session.user().name())
        .filter(session.user()::equals)
        .isPresent()) {
      services.sessions.end(session.id());
      throw ApiErrors.unauthenticated();
    }
    if (STATE_CHANGING.contains(context.method())
        && !session.csrfToken().equals(context.header(CSRF_HEADER))) {
      throw ApiErrors.forbidden("Missing or wrong " + CSRF_HEADER + " header");
    }
    Caller.set(context, session.user());
  }

  private void login(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.LOGIN, null);
    JsonNode body = body(context);
    String name = text(body, "name");
    AuditTrail.actor(context, name);
    char[] password = text(body, "password").toCharArray();
    services.limits.throttleLogin(context, name);
    User user =
        services
            .platform
            .users()
            .authenticate(name, password)
            .orElseThrow(
                () ->
                    new MedlakeException(ErrorCode.UNAUTHENTICATED, "Wrong user name or password"));
    services.limits.loginSucceeded(context, name);
    services.sessions.end(context.cookie(SESSION_COOKIE));
    SessionStore.Session session = services.sessions.create(user);
    Cookie cookie = new Cookie(SESSION_COOKIE, session.id());
    cookie.setHttpOnly(true);
    cookie.setSameSite(SameSite.STRICT);
    cookie.setPath("/");
    cookie.setSecure("https".equals(context.scheme()));
    context.cookie(cookie);
    Map<String, Object> answer = new LinkedHashMap<>(me(user));
    answer.put("csrf_token", session.csrfToken());
    context.json(answer);
  }

  private void logout(Context context) {
    AuditTrail.mark(context, AuditAction.LOGOUT, null);
    Caller.require(context, Role.values());
    services.sessions.end(context.cookie(SESSION_COOKIE));
    context.removeCookie(SESSION_COOKIE, "/");
    context.status(204);
  }

  private static String sha256(String secret) {
    return java.util.HexFormat.of()
        .formatHex(SHA_256.get().digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static Map<String, Object> me(User user) {
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("name", user.name());
    me.put("role", user.role().key());
    me.put("hospital_id", user.hospitalId().orElse(null));
    return me;
  }
}
