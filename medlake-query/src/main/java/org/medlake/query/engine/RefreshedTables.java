package org.medlake.query.engine;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.Table;
import org.medlake.lake.Lakehouse;

/**
 * Tables loaded once and refreshed before each use: a refresh reads only the catalogue's pointer
 * to the current metadata file, and re-reads metadata only when another process committed.
 */
final class RefreshedTables {
  private final Lakehouse lakehouse;
  private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

  RefreshedTables(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  Table table(String name) {
    Table table = tables.computeIfAbsent(name, lakehouse::table);
    table.refresh();
    return table;
  }
}
