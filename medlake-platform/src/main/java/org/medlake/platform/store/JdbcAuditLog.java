package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;

/** The audit log table; its SQL runs unchanged on SQLite and PostgreSQL. */
final class JdbcAuditLog implements AuditLog {
  // fixed width, so that the text sorts in time order (the same form as the other platform tables)
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final String COLUMNS =
      "id, at, actor, role, client_ip, action, target, outcome, details";
  private static final String INSERT_INTO =
      "INSERT INTO audit_events (at, actor, role, client_ip, action, target, outcome, details) VALUES ";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT = INSERT_INTO + ROW + " RETURNING id";

  private final String databaseFile;
  private final ConnectionSource connections;
  private final AuditLineWriter lines;
  private final BatchConnection batches;

  JdbcAuditLog(Path databaseFile, ConnectionSource connections, AuditLineWriter lines) {
    this(requireNonNull(databaseFile, "databaseFile is null").toString(), connections, lines);
  }

  JdbcAuditLog(String database, ConnectionSource connections, AuditLineWriter lines) {
    this.databaseFile = requireNonNull(database, "database is null");
    this.connections = requireNonNull(connections, "connections is null");
    this.lines = requireNonNull(lines, "lines is null");
    this.batches = new BatchConnection(connections);
  }

  @Override
  public void record(AuditEvent event) {
    requireNonNull(event, "event is null");
    if (event.id().isPresent()) {
      throw new IllegalArgumentException(
          "audit event " + event.id().getAsLong() + " is already recorded");
    }
    String at = format(event.at());
    String details = AuditJson.details(event.details());
    long id;
    try (Connection connection = connections.open();
        PreparedStatement insert = connection.prepareStatement(INSERT)) {
      id = insert(insert, event, at, details);
    } catch (SQLException e) {
      throw storageError(
          "record audit event '" + event.action().key() + "' of '" + event.actor() + "'", e);
    }
    // after the commit, so that a line is never shipped for an event the table does not have
    lines.write(AuditJson.line(id, event, at, details));
  }

  @Override
  public void recordAll(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (AuditEvent event : events) {
      requireNonNull(event, "event is null");
      if (event.id().isPresent()) {
        throw new IllegalArgumentException(
            "audit event " + event.id().getAsLong() + " is already recorded");
      }
    }
    String[] times = new String[events.size()];
    String[] details = new String[events.size()];
    for (int i = 0; i < events.size(); i++) {
      times[i] = format(events.get(i).at());
      details[i] = AuditJson.details(events.get(i).details());
    }
    long[] ids;
    synchronized (batches) {
      try {
        ids = batches.insert(events, times, details);
      } catch (SQLException first) {
        // the batch rolled back; a held connection may have gone stale (a restarted PostgreSQL), so
        // once more on a new one
        batches.close();
        try {
          ids = batches.insert(events, times, details);
        } catch (SQLException e) {
          batches.close();
          e.addSuppressed(first);
          throw storageError("record " + events.size() + " audit events", e);
        }
      }
    }
    for (int i = 0; i < events.size(); i++) {
      lines.write(AuditJson.line(ids[i], events.get(i), times[i], details[i]));
    }
  }

  /** Closes the connection batches are written on. */
  @Override
  public void close() {
    synchronized (batches) {
      batches.close();
    }
  }

  @Override
  public List<AuditEvent> search(AuditQuery query) {
    requireNonNull(query, "query is null");
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_events WHERE 1 = 1");
    List<String> parameters = new ArrayList<>();
    query.actor().ifPresent(actor -> where(sql, parameters, " AND actor = ?", actor));
    query.action().ifPresent(action -> where(sql, parameters, " AND action = ?", action.key()));
    query.outcome().ifPresent(outcome -> where(sql, parameters, " AND outcome = ?", outcome.key()));
    // stored instants are whole microseconds: rounding the bounds up keeps the comparisons exact
    query
        .from()
        .ifPresent(from -> where(sql, parameters, " AND at >= ?", format(ceilingMicros(from))));
    query.to().ifPresent(to -> where(sql, parameters, " AND at < ?", format(ceilingMicros(to))));
    sql.append(" ORDER BY at DESC, id DESC LIMIT ?");
    try (Connection connection = connections.open();
        PreparedStatement select = connection.prepareStatement(sql.toString())) {
      int index = 1;
      for (String parameter : parameters) {
        select.setString(index++, parameter);
      }
      select.setInt(index, query.limit());
      List<AuditEvent> events = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          events.add(event(rows));
        }
      }
      return List.copyOf(events);
    } catch (SQLException e) {
      throw storageError("search the audit log", e);
    }
  }

  private static void where(
      StringBuilder sql, List<String> parameters, String condition, String value) {
    sql.append(condition);
    parameters.add(value);
  }

  private static AuditEvent event(ResultSet rows) throws SQLException {
    return new AuditEvent(
        OptionalLong.of(rows.getLong(1)),
        Instant.parse(rows.getString(2)),
        rows.getString(3),
        Optional.ofNullable(rows.getString(4)).map(Role::parse),
        Optional.ofNullable(rows.getString(5)),
        AuditAction.parse(rows.getString(6)),
        Optional.ofNullable(rows.getString(7)),
        AuditOutcome.parse(rows.getString(8)),
        AuditJson.parseDetails(rows.getString(9)));
  }

  private static Instant ceilingMicros(Instant instant) {
    Instant truncated = instant.truncatedTo(ChronoUnit.MICROS);
    return truncated.equals(instant) ? instant : truncated.plus(1, ChronoUnit.MICROS);
  }

  /**
   * The stored form of a time; written by hand for the years 0 to 9999 (the formatter costs a
   * micro-second per event).
   */
  static String format(Instant instant) {
    LocalDateTime time =
        LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    if (time.getYear() < 0 || time.getYear() > 9999) {
      return TIMESTAMP.format(instant);
    }
    char[] text = "0000-00-00T00:00:00.000000Z".toCharArray();
    digits(text, 0, 4, time.getYear());
    digits(text, 5, 2, time.getMonthValue());
    digits(text, 8, 2, time.getDayOfMonth());
    digits(text, 11, 2, time.getHour());
    digits(text, 14, 2, time.getMinute());
    digits(text, 17, 2, time.getSecond());
    digits(text, 20, 6, time.getNano() / 1000);
    return new String(text);
  }

  private static void digits(char[] text, int offset, int width, int value) {
    for (int index = offset + width - 1; index >= offset; index--) {
      text[index] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private MedlakeException storageError(String action, SQLException e) {
    return new MedlakeException(
        ErrorCode.STORAGE_ERROR,
        "Cannot "
            + action
            + " in platform database "
            + databaseFile
            + ": "
            + PlatformConnections.message(e),
        e);
  }

  private static long insert(PreparedStatement insert, AuditEvent event, String at, String details)
      throws SQLException {
    insert.setString(1, at);
    insert.setString(2, event.actor());
    insert.setString(3, event.role().map(Role::key).orElse(null));
    insert.setString(4, event.clientIp().orElse(null));
    insert.setString(5, event.action().key());
    insert.setString(6, event.target().orElse(null));
    insert.setString(7, event.outcome().key());
    insert.setString(8, details);
    try (ResultSet rows = insert.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * One connection and its prepared inserts, held between batches: opening a connection per batch
   * (and on PostgreSQL a session) cost more than the batch's rows. Held outside transactions only,
   * so it never blocks another writer. Guarded by its own monitor.
   */
  private static final class BatchConnection {
    /** Rows per INSERT statement: one statement per row cost more than the row itself. */
    static final int ROWS_PER_STATEMENT = 50;

    private final ConnectionSource connections;
    private Connection connection;

    /** The insert of {@code n} rows at index {@code n - 1}, prepared when first needed. */
    private final PreparedStatement[] inserts = new PreparedStatement[ROWS_PER_STATEMENT];

    BatchConnection(ConnectionSource connections) {
      this.connections = connections;
    }

    /** Inserts the events in one transaction; their ids, in order. On failure nothing is stored. */
    long[] insert(List<AuditEvent> events, String[] times, String[] details) throws SQLException {
      if (connection == null) {
        Connection opened = connections.open();
        try {
          opened.setAutoCommit(false);
        } catch (SQLException e) {
          opened.close();
          throw e;
        }
        connection = opened;
      }
      long[] ids = new long[events.size()];
      try {
        for (int from = 0; from < ids.length; from += ROWS_PER_STATEMENT) {
          insertRows(
              events, times, details, from, Math.min(ids.length, from + ROWS_PER_STATEMENT), ids);
        }
        connection.commit();
      } catch (SQLException e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
      return ids;
    }

    /**
     * One multi-row INSERT of the events {@code from} (inclusive) to {@code to}. RETURNING promises
     * no order, so the ids are sorted: both databases draw them in VALUES order, ascending (SQLite
     * consecutively under its write lock, PostgreSQL from the sequence per row).
     */
    private void insertRows(
        List<AuditEvent> events, String[] times, String[] details, int from, int to, long[] ids)
        throws SQLException {
      PreparedStatement insert = inserts[to - from - 1];
      if (insert == null) {
        insert =
            connection.prepareStatement(
                INSERT_INTO
                    + String.join(", ", Collections.nCopies(to - from, ROW))
                    + " RETURNING id");
        inserts[to - from - 1] = insert;
      }
      int parameter = 1;
      for (int i = from; i < to; i++) {
        AuditEvent event = events.get(i);
        insert.setString(parameter++, times[i]);
        insert.setString(parameter++, event.actor());
        insert.setString(parameter++, event.role().map(Role::key).orElse(null));
        insert.setString(parameter++, event.clientIp().orElse(null));
        insert.setString(parameter++, event.action().key());
        insert.setString(parameter++, event.target().orElse(null));
        insert.setString(parameter++, event.outcome().key());
        insert.setString(parameter++, details[i]);
      }
      int row = from;
      try (ResultSet rows = insert.executeQuery()) {
        while (rows.next()) {
          if (row == to) {
            throw new SQLException("INSERT of " + (to - from) + " audit events returned more ids");
          }
          ids[row++] = rows.getLong(1);
        }
      }
      if (row != to) {
        throw new SQLException(
            "INSERT of " + (to - from) + " audit events returned " + (row - from) + " ids");
      }
      Arrays.sort(ids, from, to);
    }

    void close() {
      if (connection == null) {
        return;
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // nothing to keep: the next batch opens a new connection
      }
      connection = null;
      Arrays.fill(inserts, null);
    }
  }
}
