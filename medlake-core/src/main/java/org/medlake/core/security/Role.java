package org.medlake.core.security;

import java.util.Locale;
import org.medlake.core.error.ValidationException;

/** What a user may do. The server's users and tokens carry one role each. */
public enum Role {
  /** Everything, including the rejects table and administration. */
  ADMIN,
  /** Ad-hoc SQL and row-level (pseudonymized) data. */
  ANALYST,
  /** Predefined and structured aggregates only, with small-cell suppression. */
  VIEWER,
  /** Uploads and the runs and rejects of one hospital. */
  UPLOADER;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          "unknown role '" + text + "' (roles: admin, analyst, viewer, uploader)");
    }
  }
}
