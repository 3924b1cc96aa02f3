package org.medlake.platform.store;

import java.util.Locale;
import org.medlake.core.error.ValidationException;

/** What an audited request did. The key is the stored and logged form. */
public enum AuditAction {
  LOGIN,
  LOGIN_FAILED,
  LOGOUT,
  QUERY,
  SQL,
  EXPORT,
  UPLOAD,
  ADMIN,
  /** Saving, restoring or deleting a dashboard. */
  DASHBOARD;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AuditAction parse(String text) {
    for (AuditAction action : values()) {
      if (action.key().equals(text)) {
        return action;
      }
    }
    throw new ValidationException(
        "unknown audit action '"
            + text
            + "' (actions: login, login_failed, logout, query, sql, export, upload, admin, dashboard)");
  }
}
