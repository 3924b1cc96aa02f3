package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import org.medlake.core.security.Role;

/** A person or service that signs in to the server. An uploader is bound to one hospital. */
public record User(
    String name, Role role, Optional<String> hospitalId, boolean enabled, Instant createdAt) {
  public User {
    requireNonNull(name, "name is null");
    requireNonNull(role, "role is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(createdAt, "createdAt is null");
  }
}
