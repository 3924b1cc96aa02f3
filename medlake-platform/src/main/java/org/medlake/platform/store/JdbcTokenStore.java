package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;

final class JdbcTokenStore implements TokenStore {
  static final String PREFIX = "mlk_";
  private static final int ID_BYTES = 8;
  private static final int SECRET_BYTES = 32;
  private static final Pattern SECRET = Pattern.compile("mlk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}");
  private static final String TOKEN_COLUMNS =
      "api_tokens.id, api_tokens.user_name, api_tokens.description, api_tokens.created_at, api_tokens.expires_at,"
          + " api_tokens.revoked_at";

  private final PlatformConnections connections;
  private final UserStore users;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  JdbcTokenStore(PlatformConnections connections, UserStore users, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    this.users = requireNonNull(users, "users is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public IssuedToken create(String user, String description, Duration validity) {
    requireNonNull(user, "user is null");
    requireNonNull(description, "description is null");
    requireNonNull(validity, "validity is null");
    if (validity.isNegative() || validity.isZero()) {
      throw new ValidationException("token validity must be positive (got " + validity + ")");
    }
    User owner =
        users
            .find(user)
            .orElseThrow(() -> new NotFoundException("user '" + user + "' does not exist"));
    if (!owner.enabled()) {
      throw new ValidationException("user '" + user + "' is disabled and cannot get a token");
    }
    Instant now = PlatformConnections.truncate(clock.instant());
    ApiToken token =
        new ApiToken(randomId(), user, description, now, now.plus(validity), Optional.empty());
    String secret = PREFIX + token.id() + "_" + randomSecret();
    try (Connection connection = connections.open();
        // inserts nothing if the user was disabled in the meantime
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO api_tokens (id, user_name, secret_sha256, description, created_at, expires_at)"
                    + " SELECT ?, name, ?, ?, ?, ? FROM users WHERE name = ? AND enabled = 1")) {
      insert.setString(1, token.id());
      insert.setString(2, sha256(secret));
      insert.setString(3, description);
      insert.setString(4, PlatformConnections.format(token.createdAt()));
      insert.setString(5, PlatformConnections.format(token.expiresAt()));
      insert.setString(6, user);
      if (insert.executeUpdate() == 0) {
        throw new ValidationException("user '" + user + "' is disabled and cannot get a token");
      }
      return new IssuedToken(token, secret);
    } catch (SQLException e) {
      throw connections.storageError("create a token for user '" + user + "'", e);
    }
  }

  @Override
  public List<ApiToken> list(Optional<String> user) {
    requireNonNull(user, "user is null");
    String sql =
        "SELECT "
            + TOKEN_COLUMNS
            + " FROM api_tokens"
            + (user.isPresent() ? " WHERE user_name = ?" : "")
            + " ORDER BY created_at, id";
    try (Connection connection = connections.open();
        PreparedStatement select = connection.prepareStatement(sql)) {
      if (user.isPresent()) {
        select.setString(1, user.get());
      }
      List<ApiToken> tokens = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          tokens.add(token(rows));
        }
      }
      return List.copyOf(tokens);
    } catch (SQLException e) {
      throw connections.storageError("list tokens", e);
    }
  }

  @Override
  public void revoke(String id) {
    requireNonNull(id, "id is null");
    try (Connection connection = connections.open();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?")) {
      update.setString(
          1, PlatformConnections.format(PlatformConnections.truncate(clock.instant())));
      update.setString(2, id);
      if (update.executeUpdate() == 0) {
        throw new NotFoundException("token '" + id + "' does not exist");
      }
    } catch (SQLException e) {
      throw connections.storageError("revoke token '" + id + "'", e);
    }
  }

  @Override
  public Optional<User> authenticate(String bearerSecret) {
    requireNonNull(bearerSecret, "bearerSecret is null");
    Matcher matcher = SECRET.matcher(bearerSecret);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String id = matcher.group(1);
    try (Connection connection = connections.open();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT "
                    + TOKEN_COLUMNS
                    + ", api_tokens.secret_sha256, "
                    + JdbcUserStore.USER_COLUMNS
                    + " FROM api_tokens JOIN users ON users.name = api_tokens.user_name WHERE api_tokens.id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        ApiToken token = token(rows);
        byte[] stored = rows.getString(7).getBytes(StandardCharsets.US_ASCII);
        byte[] presented = sha256(bearerSecret).getBytes(StandardCharsets.US_ASCII);
        User user = JdbcUserStore.user(rows, 8);
        if (MessageDigest.isEqual(stored, presented)
            && token.activeAt(clock.instant())
            && user.enabled()) {
          return Optional.of(user);
        }
        return Optional.empty();
      }
    } catch (SQLException e) {
      throw connections.storageError("authenticate token '" + id + "'", e);
    }
  }

  private static ApiToken token(ResultSet rows) throws SQLException {
    return new ApiToken(
        rows.getString(1),
        rows.getString(2),
        rows.getString(3),
        PlatformConnections.parse(rows.getString(4)),
        PlatformConnections.parse(rows.getString(5)),
        Optional.ofNullable(rows.getString(6)).map(PlatformConnections::parse));
  }

  private String randomId() {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private String randomSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The stored form of a secret: it has 256 random bits, so a plain SHA-256 cannot be brute-forced.
   */
  static String sha256(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
