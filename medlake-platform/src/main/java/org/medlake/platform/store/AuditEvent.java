package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.medlake.core.security.Role;

/**
 * One entry of the audit log: who ({@code actor}, {@code role}, {@code clientIp}) did what ({@code
 * action} on {@code target}) when, and how it ended. {@code id} is assigned by the log when the
 * event is recorded; {@code at} is kept with microsecond precision, as stored.
 */
public record AuditEvent(
    OptionalLong id,
    Instant at,
    String actor,
    Optional<Role> role,
    Optional<String> clientIp,
    AuditAction action,
    Optional<String> target,
    AuditOutcome outcome,
    Map<String, Object> details) {
  /**
   * The actor of requests without a signed-in user, such as a failed login with an unknown name.
   */
  public static final String ANONYMOUS = "anonymous";

  static final int MAX_ACTOR_LENGTH = 200;
  static final int MAX_TARGET_LENGTH = 200;
  static final int MAX_CLIENT_IP_LENGTH = 64;

  public AuditEvent {
    requireNonNull(id, "id is null");
    requireNonNull(at, "at is null");
    requireNonNull(actor, "actor is null");
    requireNonNull(role, "role is null");
    requireNonNull(clientIp, "clientIp is null");
    requireNonNull(action, "action is null");
    requireNonNull(target, "target is null");
    requireNonNull(outcome, "outcome is null");
    requireNonNull(details, "details is null");
    at = at.truncatedTo(ChronoUnit.MICROS);
    checkLength("actor", actor, MAX_ACTOR_LENGTH);
    if (actor.isBlank()) {
      throw new IllegalArgumentException("audit event actor is blank");
    }
    clientIp.ifPresent(value -> checkLength("clientIp", value, MAX_CLIENT_IP_LENGTH));
    target.ifPresent(value -> checkLength("target", value, MAX_TARGET_LENGTH));
    details = AuditDetails.copy(details);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The same event with the id the log assigned to it. */
  AuditEvent withId(long newId) {
    return new AuditEvent(
        OptionalLong.of(newId), at, actor, role, clientIp, action, target, outcome, details);
  }

  private static void checkLength(String field, String value, int maximum) {
    if (value.length() > maximum) {
      throw new IllegalArgumentException(
          "audit event "
              + field
              + " has "
              + value.length()
              + " characters (at most "
              + maximum
              + ")");
    }
  }

  public static final class Builder {
    private Instant at;
    private String actor;
    private Optional<Role> role = Optional.empty();
    private Optional<String> clientIp = Optional.empty();
    private AuditAction action;
    private Optional<String> target = Optional.empty();
    private AuditOutcome outcome;
    private final Map<String, Object> details = new LinkedHashMap<>();

    private Builder() {}

    public Builder at(Instant at) {
      this.at = requireNonNull(at, "at is null");
      return this;
    }

    /** The signed-in user's name, or {@link #ANONYMOUS}. */
    public Builder actor(String actor) {
      this.actor = requireNonNull(actor, "actor is null");
      return this;
    }

    public Builder role(Role role) {
      this.role = Optional.of(requireNonNull(role, "role is null"));
      return this;
    }

    public Builder clientIp(String clientIp) {
      this.clientIp = Optional.of(requireNonNull(clientIp, "clientIp is null"));
      return this;
    }

    public Builder action(AuditAction action) {
      this.action = requireNonNull(action, "action is null");
      return this;
    }

    /** What the action was on: a query name, a table, the user an admin changed. */
    public Builder target(String target) {
      this.target = Optional.of(requireNonNull(target, "target is null"));
      return this;
    }

    public Builder outcome(AuditOutcome outcome) {
      this.outcome = requireNonNull(outcome, "outcome is null");
      return this;
    }

    /** A number, boolean, string of at most 200 characters, or a map or list of those. */
    public Builder detail(String key, Object value) {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
      details.put(key, value);
      return this;
    }

    public Builder details(Map<String, ?> values) {
      requireNonNull(values, "values is null");
      values.forEach(this::detail);
      return this;
    }

    /**
     * Records an SQL text as its SHA-256 ({@code sql_sha256}) and length ({@code sql_length}): the
     * text itself stays out of the log, because its literals can hold patient keys.
     */
    public Builder sqlFingerprint(String sql) {
      requireNonNull(sql, "sql is null");
      return details(AuditDetails.sqlFingerprint(sql));
    }

    public AuditEvent build() {
      if (at == null || actor == null || action == null || outcome == null) {
        throw new IllegalStateException("an audit event needs at, actor, action and outcome");
      }
      return new AuditEvent(
          OptionalLong.empty(), at, actor, role, clientIp, action, target, outcome, details);
    }
  }
}
