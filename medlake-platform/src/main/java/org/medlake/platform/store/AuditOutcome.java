package org.medlake.platform.store;

import java.util.Locale;
import org.medlake.core.error.ValidationException;

/** How an audited request ended: done, refused by a check (role, guard, budget), or failed. */
public enum AuditOutcome {
  OK,
  REFUSED,
  FAILED;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AuditOutcome parse(String text) {
    for (AuditOutcome outcome : values()) {
      if (outcome.key().equals(text)) {
        return outcome;
      }
    }
    throw new ValidationException(
        "unknown audit outcome '" + text + "' (outcomes: ok, refused, failed)");
  }
}
