package org.medlake.query.engine;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.Table;
import org.medlake.lake.Lakehouse;

/**
 * Tables loaded once and refreshed before each use: a refresh reads only the catalogue's pointer
 * to the current metadata file, and re-reads metadata only when another process committed.
 */
public final class RefreshedTables {
  private final Lakehouse lakehouse;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> refreshedAt = new ConcurrentHashMap<>();

  /** @param interval at most one refresh per table in this time (zero: before every use) */
  public RefreshedTables(Lakehouse lakehouse, java.time.Duration interval) {
    this.lakehouse = lakehouse;
    this.intervalNanos = interval.toNanos();
  }

  public Table table(String name) {
    Table table = tables.computeIfAbsent(name, lakehouse::table);
    long now = System.nanoTime();
    Long last = refreshedAt.get(name);
    if (last == null || now - last >= intervalNanos) {
      table.refresh();
      refreshedAt.put(name, now);
    }
    return table;
  }
}
