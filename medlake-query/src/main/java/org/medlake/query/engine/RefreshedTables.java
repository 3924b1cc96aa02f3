package org.medlake.query.engine;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableOperations;
import org.medlake.lake.Lakehouse;

/**
 * Tables loaded once and refreshed before each use: a refresh reads only the catalogue's pointer to
 * the current metadata file, and re-reads metadata only when another process committed.
 *
 * <p>Thread-safe. Iceberg's loaded {@link Table} is mutable and not safe to refresh from several
 * threads (two refreshes racing can leave it at the older metadata; a query holding it would see it
 * move mid-plan), so it is refreshed only under its entry's lock, and callers get a read-only table
 * pinned to the metadata of one refresh: a later refresh never changes a table already handed out.
 */
public final class RefreshedTables {
  private final Lakehouse lakehouse;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, Entry> tables = new ConcurrentHashMap<>();

  /**
   * @param interval at most one refresh per table in this time (zero: before every use)
   */
  public RefreshedTables(Lakehouse lakehouse, java.time.Duration interval) {
    this.lakehouse = lakehouse;
    this.intervalNanos = interval.toNanos();
  }

  /**
   * The table as of a refresh no older than the interval (zero: one that started after this call).
   */
  public Table table(String name) {
    return tables
        .computeIfAbsent(name, ignored -> new Entry(lakehouse.table(name)))
        .current(intervalNanos);
  }

  /** A table pinned to the metadata one refresh read, and when that refresh started. */
  private record Pinned(Table table, long startedAt) {}

  private static final class Entry {
    /** Refreshed only while holding this entry's monitor. */
    private final Table loaded;

    private volatile Pinned pinned;

    Entry(Table loaded) {
      this.loaded = loaded;
    }

    Table current(long intervalNanos) {
      long asked = System.nanoTime();
      Pinned seen = pinned;
      // a refresh that started after this call (or within the interval) is as fresh as one of our
      // own
      if (seen != null && asked - seen.startedAt() < Math.max(intervalNanos, 1)) {
        return seen.table();
      }
      synchronized (this) {
        seen = pinned;
        if (seen != null && asked - seen.startedAt() < Math.max(intervalNanos, 1)) {
          return seen.table();
        }
        long startedAt = System.nanoTime();
        loaded.refresh();
        TableOperations operations = ((HasTableOperations) loaded).operations();
        Table table =
            new BaseTable(
                new StaticTableOperations(
                    operations.current(), operations.io(), operations.locationProvider()),
                loaded.name());
        pinned = new Pinned(table, startedAt);
        return table;
      }
    }
  }
}
