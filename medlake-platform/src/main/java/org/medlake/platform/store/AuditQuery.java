package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import org.medlake.core.error.ValidationException;

/**
 * A search of the audit log: the events matching every filter given, newest first, at most {@code
 * limit} of them. {@code from} is inclusive, {@code to} exclusive.
 */
public record AuditQuery(
    Optional<String> actor,
    Optional<AuditAction> action,
    Optional<AuditOutcome> outcome,
    Optional<Instant> from,
    Optional<Instant> to,
    int limit) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  public AuditQuery {
    requireNonNull(actor, "actor is null");
    requireNonNull(action, "action is null");
    requireNonNull(outcome, "outcome is null");
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ValidationException(
          "audit search limit must be between 1 and " + MAX_LIMIT + " (got " + limit + ")");
    }
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new ValidationException(
          "audit search 'from' (" + from.get() + ") must be before 'to' (" + to.get() + ")");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private Optional<String> actor = Optional.empty();
    private Optional<AuditAction> action = Optional.empty();
    private Optional<AuditOutcome> outcome = Optional.empty();
    private Optional<Instant> from = Optional.empty();
    private Optional<Instant> to = Optional.empty();
    private int limit = DEFAULT_LIMIT;

    private Builder() {}

    public Builder actor(String actor) {
      this.actor = Optional.of(requireNonNull(actor, "actor is null"));
      return this;
    }

    public Builder action(AuditAction action) {
      this.action = Optional.of(requireNonNull(action, "action is null"));
      return this;
    }

    public Builder outcome(AuditOutcome outcome) {
      this.outcome = Optional.of(requireNonNull(outcome, "outcome is null"));
      return this;
    }

    public Builder from(Instant from) {
      this.from = Optional.of(requireNonNull(from, "from is null"));
      return this;
    }

    public Builder to(Instant to) {
      this.to = Optional.of(requireNonNull(to, "to is null"));
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    public AuditQuery build() {
      return new AuditQuery(actor, action, outcome, from, to, limit);
    }
  }
}
