package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * The run ledger's tables, {@code ingest_runs} and {@code ingest_run_reasons}; its SQL runs
 * unchanged on SQLite and PostgreSQL.
 */
final class JdbcRunLedger implements RunLedger {
  private static final String COLUMNS =
      "id, source_file, source_id, sha256, hospital_id, month, status, started_at, rows_read, rows_accepted,"
          + " rows_rejected, rows_filtered, bytes_in, bytes_out, duration_ms, snapshot_id, message, flagged_by_reason, unmapped_codes,"
          + " mapping_sha256, superseded_by";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Long>> COUNTS = new TypeReference<>() {};

  // an upsert both SQLite (3.24+) and PostgreSQL understand
  private static final String UPDATE_ALL =
      java.util.Arrays.stream(COLUMNS.split(",\\s*"))
          .filter(column -> !column.equals("id"))
          .map(column -> column + " = excluded." + column)
          .collect(java.util.stream.Collectors.joining(", "));

  private final PlatformConnections connections;
  private final Runnable closing;
  private final PlatformLocks locks;

  /**
   * @param closing what {@link #close} does: closes the database when the ledger owns it
   */
  JdbcRunLedger(PlatformConnections connections, Runnable closing) {
    this.connections = requireNonNull(connections, "connections is null");
    this.closing = requireNonNull(closing, "closing is null");
    this.locks = new PlatformLocks(connections);
  }

  @Override
  public <T> T exclusively(String name, Supplier<T> action) {
    return locks.exclusively(name, action);
  }

  @Override
  public void record(IngestRun run) {
    try (Connection connection = connections.open()) {
      record(connection, run);
    } catch (SQLException e) {
      throw connections.storageError("record run " + run.id(), e);
    }
  }

  private static void record(Connection connection, IngestRun run) throws SQLException {
    try {
      connection.setAutoCommit(false);
      try (PreparedStatement statement =
          connection.prepareStatement(
              "INSERT INTO ingest_runs ("
                  + COLUMNS
                  + ", owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                  + UPDATE_ALL
                  + ", owner = excluded.owner")) {
        statement.setString(1, run.id());
        statement.setString(2, run.sourceFile());
        statement.setString(3, run.sourceId());
        statement.setString(4, run.sha256());
        statement.setString(5, run.hospitalId());
        statement.setString(6, run.month());
        statement.setString(7, run.status().name());
        statement.setString(8, run.startedAt().toString());
        statement.setLong(9, run.rowsRead());
        statement.setLong(10, run.rowsAccepted());
        statement.setLong(11, run.rowsRejected());
        statement.setLong(12, run.rowsFiltered());
        statement.setLong(13, run.bytesIn());
        statement.setLong(14, run.bytesOut());
        statement.setLong(15, run.durationMs());
        if (run.snapshotId() == null) {
          statement.setNull(16, Types.BIGINT);
        } else {
          statement.setLong(16, run.snapshotId());
        }
        statement.setString(17, run.message());
        statement.setString(18, encode(run.flaggedByReason()));
        statement.setString(19, encode(run.unmappedCodes()));
        statement.setString(20, run.mappingSha256());
        statement.setString(21, run.supersededBy());
        statement.setString(22, OWNER);
        statement.executeUpdate();
      }
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM ingest_run_reasons WHERE run_id = ?")) {
        delete.setString(1, run.id());
        delete.executeUpdate();
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO ingest_run_reasons (run_id, reason, rows) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, Long> reason : run.rejectedByReason().entrySet()) {
          insert.setString(1, run.id());
          insert.setString(2, reason.getKey());
          insert.setLong(3, reason.getValue());
          insert.addBatch();
        }
        insert.executeBatch();
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
  }

  /**
   * RUNNING (or QUEUED) runs whose owner was a process on this host that has ended; see {@link
   * RunLedger#interrupted()}.
   */
  @Override
  public List<IngestRun> interrupted() {
    List<IngestRun> interrupted = new ArrayList<>();
    List<String[]> owners = new ArrayList<>();
    try (Connection connection = connections.open();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT id, owner FROM ingest_runs WHERE status IN (?, ?) AND owner IS NOT NULL")) {
      statement.setString(1, RunStatus.RUNNING.name());
      statement.setString(2, RunStatus.QUEUED.name());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          owners.add(new String[] {rows.getString(1), rows.getString(2)});
        }
      }
    } catch (SQLException e) {
      throw connections.storageError("read runs", e);
    }
    for (String[] owner : owners) {
      // host pid start-instant
      String[] parts = owner[1].split(" ");
      if (parts.length != 3
          || !parts[0].equals(HOST)
          || alive(Long.parseLong(parts[1]), Instant.parse(parts[2]))) {
        continue;
      }
      find(owner[0])
          .filter(
              found -> found.status() == RunStatus.RUNNING || found.status() == RunStatus.QUEUED)
          .ifPresent(
              run ->
                  interrupted.add(
                      run.withOutcome(
                          RunStatus.FAILED,
                          "interrupted: process "
                              + parts[1]
                              + " on "
                              + parts[0]
                              + " ended before the run finished",
                          run.durationMs())));
    }
    return interrupted;
  }

  private static boolean alive(long pid, Instant started) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(
            process ->
                process
                    .info()
                    .startInstant()
                    .map(
                        instant ->
                            Math.abs(instant.toEpochMilli() - started.toEpochMilli()) < 1_000)
                    .orElse(true))
        .orElse(false);
  }

  private static final String HOST = host();

  /** This process as the owner of the runs it records: host, pid and start instant. */
  private static final String OWNER =
      HOST
          + " "
          + ProcessHandle.current().pid()
          + " "
          + ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName().replace(' ', '_');
    } catch (java.net.UnknownHostException e) {
      return org.medlake.core.config.Environment.system()
          .get("HOSTNAME")
          .orElse("localhost")
          .replace(' ', '_');
    }
  }

  @Override
  public List<IngestRun> list() {
    return query("SELECT " + COLUMNS + " FROM ingest_runs ORDER BY started_at, id");
  }

  @Override
  public List<IngestRun> list(String sourceId, String month) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM ingest_runs WHERE source_id = ? AND month = ? ORDER BY started_at, id",
        sourceId,
        month);
  }

  @Override
  public Optional<IngestRun> find(String id) {
    return query("SELECT " + COLUMNS + " FROM ingest_runs WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public List<IngestRun> withChecksum(String sha256) {
    return query(
        "SELECT " + COLUMNS + " FROM ingest_runs WHERE sha256 = ? ORDER BY started_at", sha256);
  }

  @Override
  public List<IngestRun> openHolds() {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM ingest_runs WHERE status = ? AND superseded_by IS NULL ORDER BY started_at, id",
        RunStatus.HELD.name());
  }

  @Override
  public Optional<IngestRun> latestSucceeded(String hospitalId, String month) {
    List<IngestRun> runs =
        query(
            "SELECT "
                + COLUMNS
                + " FROM ingest_runs WHERE hospital_id = ? AND month = ? AND status = ?"
                + " ORDER BY started_at, id",
            hospitalId,
            month,
            RunStatus.SUCCEEDED.name());
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(runs.size() - 1));
  }

  private List<IngestRun> query(String sql, String... parameters) {
    try (Connection connection = connections.open();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      List<IngestRun> runs = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          long snapshot = rows.getLong(16);
          Long snapshotId = rows.wasNull() ? null : snapshot;
          String id = rows.getString(1);
          runs.add(
              new IngestRun(
                  id,
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getString(6),
                  RunStatus.valueOf(rows.getString(7)),
                  Instant.parse(rows.getString(8)),
                  rows.getLong(9),
                  rows.getLong(10),
                  rows.getLong(11),
                  rows.getLong(12),
                  reasons(connection, id),
                  rows.getLong(13),
                  rows.getLong(14),
                  rows.getLong(15),
                  snapshotId,
                  rows.getString(17),
                  decode(rows.getString(18)),
                  decode(rows.getString(19)),
                  rows.getString(20),
                  rows.getString(21)));
        }
      }
      return runs;
    } catch (SQLException e) {
      throw connections.storageError("read runs", e);
    }
  }

  private static Map<String, Long> reasons(Connection connection, String runId)
      throws SQLException {
    Map<String, Long> reasons = new TreeMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT reason, rows FROM ingest_run_reasons WHERE run_id = ?")) {
      statement.setString(1, runId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          reasons.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return reasons;
  }

  private static String encode(Map<String, Long> counts) {
    try {
      return JSON.writeValueAsString(counts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode counts " + counts, e);
    }
  }

  private static Map<String, Long> decode(String counts) throws SQLException {
    if (counts == null || counts.isBlank()) {
      return Map.of();
    }
    try {
      return JSON.readValue(counts, COUNTS);
    } catch (JsonProcessingException e) {
      throw new SQLException("not a JSON object of counts: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public void close() {
    closing.run();
  }
}
