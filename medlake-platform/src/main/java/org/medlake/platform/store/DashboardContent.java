package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;

/**
 * What one version of a dashboard holds: its name, with whom it is shared, and its document (the
 * JSON object of description, filters and tiles, which the server validates; the store keeps it as
 * given).
 *
 * @param sharedWith the roles that see it; empty exactly when {@code visibility} is private
 */
public record DashboardContent(
    String name, DashboardVisibility visibility, Set<Role> sharedWith, String document) {
  public static final int MAX_NAME_LENGTH = 120;

  public DashboardContent {
    requireNonNull(name, "name is null");
    requireNonNull(visibility, "visibility is null");
    requireNonNull(sharedWith, "sharedWith is null");
    requireNonNull(document, "document is null");
    if (name.isBlank()) {
      throw new ValidationException("name must not be blank");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new ValidationException(
          "name has " + name.length() + " characters (at most " + MAX_NAME_LENGTH + ")");
    }
    if (visibility == DashboardVisibility.PRIVATE && !sharedWith.isEmpty()) {
      throw new ValidationException(
          "sharing.roles must be empty when sharing.visibility is private");
    }
    if (visibility == DashboardVisibility.ROLES && sharedWith.isEmpty()) {
      throw new ValidationException(
          "sharing.roles must name a role when sharing.visibility is roles");
    }
    if (sharedWith.contains(Role.UPLOADER)) {
      throw new ValidationException(
          "sharing.roles cannot hold uploader: uploaders do not run queries");
    }
    sharedWith = Set.copyOf(sharedWith.isEmpty() ? Set.of() : EnumSet.copyOf(sharedWith));
  }
}
