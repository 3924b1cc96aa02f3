package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;

final class JdbcUserStore implements UserStore {
  static final Pattern NAME = Pattern.compile("[a-z0-9._-]{2,64}");
  static final int MINIMUM_PASSWORD_LENGTH = 12;
  static final int MAXIMUM_PASSWORD_LENGTH = 1024;
  static final String USER_COLUMNS =
      "users.name, users.role, users.hospital_id, users.enabled, users.created_at";

  private final PlatformConnections connections;
  private final PasswordHasher hasher;
  private final Clock clock;
  // verified against when the user does not exist, so that unknown names take as long as known ones
  private final String unknownUserHash;

  JdbcUserStore(PlatformConnections connections, PasswordHasher hasher, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    this.hasher = requireNonNull(hasher, "hasher is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.unknownUserHash = hasher.hash(randomPassword());
  }

  @Override
  public User add(String name, Role role, Optional<String> hospitalId, char[] password) {
    requireNonNull(name, "name is null");
    requireNonNull(role, "role is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(password, "password is null");
    validateName(name);
    validateHospital(name, role, hospitalId);
    validatePassword(password);
    User user =
        new User(name, role, hospitalId, true, PlatformConnections.truncate(clock.instant()));
    String hash = hasher.hash(password);
    try (Connection connection = connections.open();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO users (name, role, hospital_id, password_hash, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)"
                    + " ON CONFLICT (name) DO NOTHING")) {
      insert.setString(1, user.name());
      insert.setString(2, user.role().key());
      insert.setString(3, user.hospitalId().orElse(null));
      insert.setString(4, hash);
      insert.setString(5, PlatformConnections.format(user.createdAt()));
      if (insert.executeUpdate() == 0) {
        throw new ValidationException("user '" + name + "' already exists");
      }
      return user;
    } catch (SQLException e) {
      throw connections.storageError("add user '" + name + "'", e);
    }
  }

  @Override
  public List<User> list() {
    try (Connection connection = connections.open();
        PreparedStatement select =
            connection.prepareStatement("SELECT " + USER_COLUMNS + " FROM users ORDER BY name");
        ResultSet rows = select.executeQuery()) {
      List<User> users = new ArrayList<>();
      while (rows.next()) {
        users.add(user(rows, 1));
      }
      return List.copyOf(users);
    } catch (SQLException e) {
      throw connections.storageError("list users", e);
    }
  }

  @Override
  public Optional<User> find(String name) {
    requireNonNull(name, "name is null");
    return credentials(name).map(Credentials::user);
  }

  @Override
  public void disable(String name) {
    requireNonNull(name, "name is null");
    try (Connection connection = connections.open();
        PreparedStatement update =
            connection.prepareStatement("UPDATE users SET enabled = 0 WHERE name = ?")) {
      update.setString(1, name);
      if (update.executeUpdate() == 0) {
        throw new NotFoundException("user '" + name + "' does not exist");
      }
    } catch (SQLException e) {
      throw connections.storageError("disable user '" + name + "'", e);
    }
  }

  @Override
  public Optional<User> authenticate(String name, char[] password) {
    requireNonNull(name, "name is null");
    requireNonNull(password, "password is null");
    Optional<Credentials> credentials = credentials(name);
    boolean matches =
        hasher.verify(password, credentials.map(Credentials::passwordHash).orElse(unknownUserHash));
    return credentials.filter(found -> matches && found.user().enabled()).map(Credentials::user);
  }

  private Optional<Credentials> credentials(String name) {
    try (Connection connection = connections.open();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT " + USER_COLUMNS + ", users.password_hash FROM users WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new Credentials(user(rows, 1), rows.getString(6)));
      }
    } catch (SQLException e) {
      throw connections.storageError("read user '" + name + "'", e);
    }
  }

  /** Reads the {@link #USER_COLUMNS} starting at column {@code first}. */
  static User user(ResultSet rows, int first) throws SQLException {
    return new User(
        rows.getString(first),
        Role.parse(rows.getString(first + 1)),
        Optional.ofNullable(rows.getString(first + 2)),
        rows.getInt(first + 3) == 1,
        PlatformConnections.parse(rows.getString(first + 4)));
  }

  static void validateName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new ValidationException(
          "user name '"
              + name
              + "' is invalid: use 2 to 64 characters from a-z, 0-9, '.', '_' and '-'");
    }
  }

  private static void validateHospital(String name, Role role, Optional<String> hospitalId) {
    if (hospitalId.isPresent() && hospitalId.get().isBlank()) {
      throw new ValidationException("hospital id of user '" + name + "' must not be blank");
    }
    switch (role) {
      case UPLOADER -> {
        if (hospitalId.isEmpty()) {
          throw new ValidationException(
              "user '" + name + "' has role uploader and needs a hospital id");
        }
      }
      case ADMIN, ANALYST, VIEWER -> {
        if (hospitalId.isPresent()) {
          throw new ValidationException(
              "user '"
                  + name
                  + "' has role "
                  + role.key()
                  + " and must not have a hospital id (got '"
                  + hospitalId.get()
                  + "')");
        }
      }
    }
  }

  private static void validatePassword(char[] password) {
    int length = Character.codePointCount(password, 0, password.length);
    if (length < MINIMUM_PASSWORD_LENGTH) {
      throw new ValidationException(
          "password must be at least "
              + MINIMUM_PASSWORD_LENGTH
              + " characters long (got "
              + length
              + ")");
    }
    if (length > MAXIMUM_PASSWORD_LENGTH) {
      throw new ValidationException(
          "password must be at most "
              + MAXIMUM_PASSWORD_LENGTH
              + " characters long (got "
              + length
              + ")");
    }
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[32];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }

  private record Credentials(User user, String passwordHash) {
    Credentials {
      requireNonNull(user, "user is null");
      requireNonNull(passwordHash, "passwordHash is null");
    }

    @Override
    public String toString() {
      return "Credentials[user=" + user + ", passwordHash=***]";
    }
  }
}
