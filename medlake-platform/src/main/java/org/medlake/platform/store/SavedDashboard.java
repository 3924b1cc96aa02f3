package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.OptionalInt;
import org.medlake.core.security.Role;

/**
 * One saved version of a dashboard: the dashboard's id and owner, the version number (1 for the
 * first save), its content, who saved it when, and the version it restored, if it was a restore.
 */
public record SavedDashboard(
    long id,
    String owner,
    int version,
    DashboardContent content,
    Instant savedAt,
    String savedBy,
    OptionalInt restoredFrom) {
  public SavedDashboard {
    requireNonNull(owner, "owner is null");
    requireNonNull(content, "content is null");
    requireNonNull(savedAt, "savedAt is null");
    requireNonNull(savedBy, "savedBy is null");
    requireNonNull(restoredFrom, "restoredFrom is null");
  }

  /**
   * Whether {@code user} may see it: its owner, an admin, or a holder of a role it is shared with.
   */
  public boolean visibleTo(User user) {
    return user.role() == Role.ADMIN
        || user.name().equals(owner)
        || (content.visibility() == DashboardVisibility.ROLES
            && content.sharedWith().contains(user.role()));
  }

  /** Whether {@code user} may change, delete or restore it: its owner or an admin. */
  public boolean editableBy(User user) {
    return user.role() == Role.ADMIN || user.name().equals(owner);
  }
}
