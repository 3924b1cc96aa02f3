package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.security.Role;

/**
 * {@link DashboardStore} over the platform database. Every change is one transaction that starts by
 * writing {@code dashboards.version} (a compare-and-set for an update), so that concurrent saves of
 * one dashboard queue on the row (and on SQLite's write lock) and the later one finds the version
 * moved on, instead of both adding the same version.
 */
final class JdbcDashboardStore implements DashboardStore {
  private static final String COLUMNS =
      "d.id, d.owner, v.version, v.name, v.visibility, v.shared_roles, v.document, v.saved_at,"
          + " v.saved_by, v.restored_from";
  private static final String FROM_CURRENT =
      " FROM dashboards d JOIN dashboard_versions v ON v.dashboard_id = d.id AND v.version ="
          + " d.version";
  private static final String FROM_ANY =
      " FROM dashboards d JOIN dashboard_versions v ON v.dashboard_id = d.id";

  private final PlatformConnections connections;
  private final Clock clock;

  JdbcDashboardStore(PlatformConnections connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public SavedDashboard create(String owner, DashboardContent content) {
    requireNonNull(owner, "owner is null");
    requireNonNull(content, "content is null");
    Instant now = now();
    return inTransaction(
        "save dashboard '" + content.name() + "'",
        connection -> {
          long id;
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO dashboards (owner, version, created_at) VALUES (?, 1, ?) RETURNING"
                      + " id")) {
            insert.setString(1, owner);
            insert.setString(2, PlatformConnections.format(now));
            try (ResultSet rows = insert.executeQuery()) {
              rows.next();
              id = rows.getLong(1);
            }
          }
          SavedDashboard saved =
              new SavedDashboard(id, owner, 1, content, now, owner, OptionalInt.empty());
          insertVersion(connection, saved);
          return saved;
        });
  }

  @Override
  public SavedDashboard update(long id, int baseVersion, String savedBy, DashboardContent content) {
    requireNonNull(savedBy, "savedBy is null");
    requireNonNull(content, "content is null");
    return inTransaction(
        "save dashboard " + id,
        connection -> {
          OptionalInt next = advance(connection, id, OptionalInt.of(baseVersion));
          if (next.isEmpty()) {
            int current = currentVersion(connection, id);
            throw new MedlakeException(
                ErrorCode.VERSION_CONFLICT,
                "dashboard "
                    + id
                    + " is at version "
                    + current
                    + ", not "
                    + baseVersion
                    + ": someone saved it meanwhile; reload it and apply your change again");
          }
          SavedDashboard saved =
              new SavedDashboard(
                  id,
                  owner(connection, id),
                  next.getAsInt(),
                  content,
                  now(),
                  savedBy,
                  OptionalInt.empty());
          insertVersion(connection, saved);
          return saved;
        });
  }

  @Override
  public SavedDashboard restore(long id, int version, String savedBy) {
    requireNonNull(savedBy, "savedBy is null");
    return inTransaction(
        "restore dashboard " + id,
        connection -> {
          OptionalInt next = advance(connection, id, OptionalInt.empty());
          if (next.isEmpty()) {
            throw new NotFoundException("dashboard " + id + " does not exist");
          }
          SavedDashboard old =
              select(connection, FROM_ANY + " WHERE d.id = ? AND v.version = ?", id, version)
                  .stream()
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new NotFoundException("dashboard " + id + " has no version " + version));
          SavedDashboard saved =
              new SavedDashboard(
                  id,
                  old.owner(),
                  next.getAsInt(),
                  old.content(),
                  now(),
                  savedBy,
                  OptionalInt.of(version));
          insertVersion(connection, saved);
          return saved;
        });
  }

  @Override
  public Optional<SavedDashboard> find(long id) {
    return query("read dashboard " + id, FROM_CURRENT + " WHERE d.id = ?", id).stream().findFirst();
  }

  @Override
  public Optional<SavedDashboard> find(long id, int version) {
    return query(
            "read dashboard " + id + " version " + version,
            FROM_ANY + " WHERE d.id = ? AND v.version = ?",
            id,
            version)
        .stream()
        .findFirst();
  }

  @Override
  public List<SavedDashboard> list() {
    return query("list dashboards", FROM_CURRENT + " ORDER BY v.name, d.id");
  }

  @Override
  public List<SavedDashboard> versions(long id) {
    List<SavedDashboard> versions =
        query(
            "list versions of dashboard " + id,
            FROM_ANY + " WHERE d.id = ? ORDER BY v.version DESC",
            id);
    if (versions.isEmpty()) {
      throw new NotFoundException("dashboard " + id + " does not exist");
    }
    return versions;
  }

  @Override
  public void delete(long id) {
    inTransaction(
        "delete dashboard " + id,
        connection -> {
          try (PreparedStatement versions =
              connection.prepareStatement(
                  "DELETE FROM dashboard_versions WHERE dashboard_id = ?")) {
            versions.setLong(1, id);
            versions.executeUpdate();
          }
          try (PreparedStatement dashboard =
              connection.prepareStatement("DELETE FROM dashboards WHERE id = ?")) {
            dashboard.setLong(1, id);
            if (dashboard.executeUpdate() == 0) {
              throw new NotFoundException("dashboard " + id + " does not exist");
            }
          }
          return null;
        });
  }

  /** A unit of work in one transaction. */
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws (a
   * database error becomes a one-line storage error about {@code what}).
   */
  private <T> T inTransaction(String what, Work<T> work) {
    try (Connection connection = connections.open()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw connections.storageError(what, e);
    }
  }

  /**
   * Moves the dashboard to its next version, if it is at {@code expected} (any version when empty);
   * the new version, or empty when there is no such dashboard or it is at another version.
   */
  private static OptionalInt advance(Connection connection, long id, OptionalInt expected)
      throws SQLException {
    String sql =
        "UPDATE dashboards SET version = version + 1 WHERE id = ?"
            + (expected.isPresent() ? " AND version = ?" : "")
            + " RETURNING version";
    try (PreparedStatement update = connection.prepareStatement(sql)) {
      update.setLong(1, id);
      if (expected.isPresent()) {
        update.setInt(2, expected.getAsInt());
      }
      try (ResultSet rows = update.executeQuery()) {
        return rows.next() ? OptionalInt.of(rows.getInt(1)) : OptionalInt.empty();
      }
    }
  }

  private static int currentVersion(Connection connection, long id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT version FROM dashboards WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new NotFoundException("dashboard " + id + " does not exist");
        }
        return rows.getInt(1);
      }
    }
  }

  private static String owner(Connection connection, long id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT owner FROM dashboards WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    }
  }

  private static void insertVersion(Connection connection, SavedDashboard saved)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO dashboard_versions (dashboard_id, version, name, visibility,"
                + " shared_roles, document, saved_at, saved_by, restored_from)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setLong(1, saved.id());
      insert.setInt(2, saved.version());
      insert.setString(3, saved.content().name());
      insert.setString(4, saved.content().visibility().key());
      insert.setString(5, roles(saved.content().sharedWith()));
      insert.setString(6, saved.content().document());
      insert.setString(7, PlatformConnections.format(saved.savedAt()));
      insert.setString(8, saved.savedBy());
      if (saved.restoredFrom().isPresent()) {
        insert.setInt(9, saved.restoredFrom().getAsInt());
      } else {
        insert.setNull(9, Types.INTEGER);
      }
      insert.executeUpdate();
    }
  }

  private List<SavedDashboard> query(String action, String from, Object... parameters) {
    try (Connection connection = connections.open()) {
      return select(connection, from, parameters);
    } catch (SQLException e) {
      throw connections.storageError(action, e);
    }
  }

  private static List<SavedDashboard> select(
      Connection connection, String from, Object... parameters) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + from)) {
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] instanceof Long value) {
          select.setLong(i + 1, value);
        } else {
          select.setInt(i + 1, (Integer) parameters[i]);
        }
      }
      try (ResultSet rows = select.executeQuery()) {
        List<SavedDashboard> result = new ArrayList<>();
        while (rows.next()) {
          int restoredFrom = rows.getInt(10);
          OptionalInt restored =
              rows.wasNull() ? OptionalInt.empty() : OptionalInt.of(restoredFrom);
          result.add(
              new SavedDashboard(
                  rows.getLong(1),
                  rows.getString(2),
                  rows.getInt(3),
                  new DashboardContent(
                      rows.getString(4),
                      DashboardVisibility.parse(rows.getString(5)),
                      parseRoles(rows.getString(6)),
                      rows.getString(7)),
                  PlatformConnections.parse(rows.getString(8)),
                  rows.getString(9),
                  restored));
        }
        return List.copyOf(result);
      }
    }
  }

  private static String roles(Set<Role> roles) {
    return roles.stream().sorted().map(Role::key).collect(Collectors.joining(","));
  }

  private static Set<Role> parseRoles(String text) {
    if (text.isEmpty()) {
      return Set.of();
    }
    return EnumSet.copyOf(Arrays.stream(text.split(",")).map(Role::parse).toList());
  }

  private Instant now() {
    return PlatformConnections.truncate(clock.instant());
  }
}
