package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** What is known about an API token; the secret itself is never stored. */
public record ApiToken(
    String id,
    String user,
    String description,
    Instant createdAt,
    Instant expiresAt,
    Optional<Instant> revokedAt) {
  public ApiToken {
    requireNonNull(id, "id is null");
    requireNonNull(user, "user is null");
    requireNonNull(description, "description is null");
    requireNonNull(createdAt, "createdAt is null");
    requireNonNull(expiresAt, "expiresAt is null");
    requireNonNull(revokedAt, "revokedAt is null");
  }

  /**
   * Whether the token authenticates at {@code now} (as far as the token goes; its user must be
   * enabled too).
   */
  public boolean activeAt(Instant now) {
    return revokedAt.isEmpty() && now.isBefore(expiresAt);
  }
}
