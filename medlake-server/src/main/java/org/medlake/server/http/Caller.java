package org.medlake.server.http;

import io.javalin.http.Context;
import java.util.Arrays;
import java.util.Optional;
import org.medlake.core.security.Role;
import org.medlake.platform.store.User;

/** The authenticated user of a request, put on the context by the authentication filter. */
final class Caller {
  private static final String ATTRIBUTE = "medlake.user";

  private Caller() {}

  static void set(Context context, User user) {
    context.attribute(ATTRIBUTE, user);
  }

  static Optional<User> of(Context context) {
    return Optional.ofNullable(context.attribute(ATTRIBUTE));
  }

  /** The caller, who must hold one of {@code roles}. */
  static User require(Context context, Role... roles) {
    User user = of(context).orElseThrow(ApiErrors::unauthenticated);
    if (Arrays.stream(roles).noneMatch(role -> role == user.role())) {
      throw ApiErrors.forbidden(
          "This needs the role "
              + String.join(" or ", Arrays.stream(roles).map(Role::key).toList())
              + "; you are "
              + user.role().key());
    }
    return user;
  }
}
