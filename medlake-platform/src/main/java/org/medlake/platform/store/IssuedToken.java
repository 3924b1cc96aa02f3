package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

/**
 * A newly created token with its bearer secret ({@code mlk_<id>_<random>}), which is shown to the
 * user once and cannot be recovered later.
 */
public record IssuedToken(ApiToken token, String secret) {
  public IssuedToken {
    requireNonNull(token, "token is null");
    requireNonNull(secret, "secret is null");
  }

  @Override
  public String toString() {
    // records print every component; keep the secret out of logs and exception messages
    return "IssuedToken[token=" + token + ", secret=***]";
  }
}
