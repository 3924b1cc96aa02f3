package org.medlake.platform.store;

import java.util.Locale;
import org.medlake.core.error.ValidationException;

/** Who besides its owner and the admins sees a dashboard. The key is the stored and API form. */
public enum DashboardVisibility {
  /** Its owner and the admins only. */
  PRIVATE,
  /** Also every user holding one of the roles it is shared with. */
  ROLES;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DashboardVisibility parse(String text) {
    for (DashboardVisibility visibility : values()) {
      if (visibility.key().equals(text)) {
        return visibility;
      }
    }
    throw new ValidationException(
        "sharing.visibility must be private or roles, not '" + text + "'");
  }
}
