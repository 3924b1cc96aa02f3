package org.medlake.platform.store;

import java.util.List;

/**
 * The append-only record of every login, query, export, upload and admin action. Each recorded
 * event is also written as one JSON line to the logger {@code medlake.audit}, for log shipping.
 */
public interface AuditLog extends AutoCloseable {
  /** Stores the event (which must not have an id yet) and writes its log line. */
  void record(AuditEvent event);

  /** Stores several events in one transaction (all or none), then writes their log lines. */
  default void recordAll(List<AuditEvent> events) {
    events.forEach(this::record);
  }

  /** The events matching the query, newest first. */
  List<AuditEvent> search(AuditQuery query);

  /** Releases what the log holds between calls (a connection); it may be used again afterwards. */
  @Override
  default void close() {}

  /**
   * The audit log in a migrated platform database on SQLite or PostgreSQL (the SQL is the same).
   *
   * @param database the file or URL, named in error messages
   */
  static AuditLog jdbc(String database, ConnectionSource connections) {
    return new JdbcAuditLog(database, connections, AuditLineWriter.slf4j());
  }
}
