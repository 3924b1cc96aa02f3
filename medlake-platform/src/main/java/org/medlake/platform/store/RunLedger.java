package org.medlake.platform.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;

/** Ingestion runs in the platform database (SQLite in the embedded profile, or PostgreSQL). */
public interface RunLedger extends AutoCloseable {
  /** Inserts or replaces the run with its reason counts, in one transaction. */
  void record(IngestRun run);

  /**
   * RUNNING (or QUEUED) runs whose owner was a process on this host that has ended (a {@code kill
   * -9}, a crash, a reboot), each as the FAILED run to record: "interrupted: process <pid> on
   * <host> ended before the run finished". Not recorded here: the caller first checks that the run
   * did not commit before it died. Runs of other hosts are left alone (their processes cannot be
   * checked from here), as are runs of live processes and runs recorded before owners were. A
   * process id reused by a later process counts as ended (its start instant differs).
   */
  List<IngestRun> interrupted();

  /** Every run, oldest first. */
  List<IngestRun> list();

  /** The runs of one source's month ({@code YYYY-MM}), oldest first. */
  List<IngestRun> list(String sourceId, String month);

  Optional<IngestRun> find(String id);

  /** The runs of files with this SHA-256, oldest first. */
  List<IngestRun> withChecksum(String sha256);

  /** Held runs that nobody has approved or superseded yet, oldest first. */
  List<IngestRun> openHolds();

  /**
   * The hospital-month's latest succeeded run: a commit replaces the hospital-month's rows, so its
   * accepted rows are the ones stored.
   */
  Optional<IngestRun> latestSucceeded(String hospitalId, String month);

  /**
   * Runs {@code action} while holding the lock {@code name}, exclusive across every process (and
   * thread) using this ledger's database: a look-up and the run it records then cannot interleave
   * with another's ({@code POST /api/v1/runs/trigger} on several servers). An advisory lock on
   * PostgreSQL, a file lock beside an SQLite database; released when the action ends, or when the
   * process holding it dies. Not reentrant: the action takes no other lock of the ledger.
   */
  <T> T exclusively(String name, Supplier<T> action);

  @Override
  void close();

  /**
   * The ledger in the home's {@code platform.db}, or in the PostgreSQL database of {@code
   * platform.jdbc-url}, migrated to the current schema; closing it closes the database.
   */
  static RunLedger open(MedlakeHome home) {
    return PlatformDatabase.open(home).ownedRuns();
  }

  /**
   * The ledger in an SQLite platform database file, migrated to the current schema; closing it
   * closes the database.
   */
  static RunLedger open(Path database) {
    return PlatformDatabase.open(database).ownedRuns();
  }
}
