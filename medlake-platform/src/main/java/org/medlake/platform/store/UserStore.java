package org.medlake.platform.store;

import java.util.List;
import java.util.Optional;
import org.medlake.core.security.Role;

/** The server's users with their argon2id password hashes. */
public interface UserStore {
  /**
   * Adds an enabled user. Names match {@code [a-z0-9._-]{2,64}}, passwords have at least 12
   * characters, and only uploaders (and every uploader) have a hospital id.
   *
   * @throws org.medlake.core.error.ValidationException if a rule is broken or the user exists
   */
  User add(String name, Role role, Optional<String> hospitalId, char[] password);

  /** All users, by name. */
  List<User> list();

  Optional<User> find(String name);

  /**
   * Disables the user: neither the password nor any of the user's tokens authenticate any more.
   *
   * @throws org.medlake.core.error.NotFoundException if there is no such user
   */
  void disable(String name);

  /** The user if the name and password match an enabled user; takes as long for unknown users. */
  Optional<User> authenticate(String name, char[] password);
}
