package org.medlake.platform.store;

import java.util.List;
import java.util.Optional;

/**
 * Saved dashboards with every version of each. Saving never changes a stored version: an edit or a
 * restore adds the next one. Who may see or change a dashboard is the caller's decision ({@link
 * SavedDashboard#visibleTo}, {@link SavedDashboard#editableBy}).
 */
public interface DashboardStore {
  /** Saves a new dashboard owned by {@code owner} as its version 1. */
  SavedDashboard create(String owner, DashboardContent content);

  /**
   * Saves {@code content} as the next version, if {@code baseVersion} is still the current one.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such dashboard
   * @throws org.medlake.core.error.MedlakeException with {@link
   *     org.medlake.core.error.ErrorCode#VERSION_CONFLICT} when another save came first
   */
  SavedDashboard update(long id, int baseVersion, String savedBy, DashboardContent content);

  /**
   * Saves version {@code version}'s content again as the next version.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such dashboard or version
   */
  SavedDashboard restore(long id, int version, String savedBy);

  /** The current version. */
  Optional<SavedDashboard> find(long id);

  /** One version, as it was saved. */
  Optional<SavedDashboard> find(long id, int version);

  /** The current version of every dashboard, by name, then id. */
  List<SavedDashboard> list();

  /**
   * Every version, newest first.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such dashboard
   */
  List<SavedDashboard> versions(long id);

  /**
   * Deletes the dashboard with its history.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such dashboard
   */
  void delete(long id);
}
