package org.medlake.platform.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** API tokens for programmatic access; only the SHA-256 of each secret is stored. */
public interface TokenStore {
  /**
   * Creates a token for an enabled user, valid for {@code validity} from now.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such user
   * @throws org.medlake.core.error.ValidationException if the user is disabled or the validity is
   *     not positive
   */
  IssuedToken create(String user, String description, Duration validity);

  /** The tokens of one user, or of all users, oldest first; revoked and expired ones included. */
  List<ApiToken> list(Optional<String> user);

  /**
   * Revokes the token; revoking it again keeps the first revocation time.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such token
   */
  void revoke(String id);

  /**
   * The token's user if the secret belongs to a token that is neither expired nor revoked, of an
   * enabled user.
   */
  Optional<User> authenticate(String bearerSecret);
}
