package org.medlake.server.http;

import static org.medlake.server.http.RequestBodies.body;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.security.Role;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.IssuedToken;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.User;

/** Users and API tokens, for admins; every change is an audited admin action. */
final class AdminRoutes {
  private final PlatformDatabase platform;
  private final Runnable credentialsChanged;
  private final int maxTokenDays;

  /**
   * @param credentialsChanged called after a user is disabled or a token revoked (clears cached
   *     authentications)
   * @param maxTokenDays the longest token lifetime (server.max-token-days)
   */
  AdminRoutes(PlatformDatabase platform, Runnable credentialsChanged, int maxTokenDays) {
    this.maxTokenDays = maxTokenDays;
    this.platform = platform;
    this.credentialsChanged = credentialsChanged;
  }

  void register(Javalin app) {
    app.get(
        "/api/v1/users",
        context -> {
          Caller.require(context, Role.ADMIN);
          context.json(platform.users().list());
        });
    app.post("/api/v1/users", this::addUser);
    app.post(
        "/api/v1/users/{name}/disable",
        context -> {
          admin(context, "disable user " + context.pathParam("name"));
          platform.users().disable(context.pathParam("name"));
          credentialsChanged.run();
          context.status(204);
        });
    app.get(
        "/api/v1/tokens",
        context -> {
          Caller.require(context, Role.ADMIN);
          context.json(platform.tokens().list(Optional.ofNullable(context.queryParam("user"))));
        });
    app.post("/api/v1/tokens", this::createToken);
    app.post(
        "/api/v1/tokens/{id}/revoke",
        context -> {
          admin(context, "revoke token " + context.pathParam("id"));
          platform.tokens().revoke(context.pathParam("id"));
          credentialsChanged.run();
          context.status(204);
        });
  }

  private void addUser(Context context) throws Exception {
    JsonNode body = body(context);
    admin(context, "add user " + body.path("name").asText());
    char[] password = body.path("password").asText("").toCharArray();
    try {
      User user =
          platform
              .users()
              .add(
                  body.path("name").asText(""),
                  Role.parse(body.path("role").asText("")),
                  Optional.ofNullable(
                      body.path("hospital_id").isMissingNode() || body.path("hospital_id").isNull()
                          ? null
                          : body.path("hospital_id").asText()),
                  password);
      context.status(201).json(user);
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  private void createToken(Context context) throws Exception {
    JsonNode body = body(context);
    admin(context, "create token for " + body.path("user").asText());
    long days = days(body);
    IssuedToken issued =
        platform
            .tokens()
            .create(
                body.path("user").asText(""),
                body.path("description").asText(""),
                Duration.ofDays(days));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("token", issued.token());
    answer.put("secret", issued.secret());
    context.status(201).json(answer);
  }

  private static void admin(Context context, String target) {
    AuditTrail.mark(context, AuditAction.ADMIN, target);
    Caller.require(context, Role.ADMIN);
  }

  /**
   * The token lifetime in whole days: 90 (or the cap, if lower) when absent; 1 to
   * server.max-token-days.
   */
  private long days(JsonNode body) {
    JsonNode days = body.get("days");
    if (days == null || days.isNull()) {
      return Math.min(90, maxTokenDays);
    }
    if (!days.isNumber()
        || !days.canConvertToExactIntegral()
        || !days.canConvertToLong()
        || days.asLong() < 1
        || days.asLong() > maxTokenDays) {
      throw ApiErrors.badRequest(
          "'days' must be a whole number from 1 to "
              + maxTokenDays
              + " (server.max-token-days), not "
              + days);
    }
    return days.asLong();
  }
}
