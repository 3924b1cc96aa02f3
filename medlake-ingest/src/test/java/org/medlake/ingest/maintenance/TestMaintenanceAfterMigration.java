package org.medlake.ingest.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MaintenanceConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.lake.BareLocationLake;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.LocalFileIO;

/**
 * After the migration to {@code file:} locations, the kept snapshot names every data file by its
 * URI and the expired ones by its bare path: expiring them must not delete a file the table still
 * holds (Iceberg compares the two spellings as different files), yet still deletes the file a
 * resubmission replaced.
 */
class TestMaintenanceAfterMigration {
  @TempDir Path directory;

  @Test
  void expiringTheBarePathSnapshotsKeepsEveryLiveFile() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    long rows = BareLocationLake.write(home, 2);
    Path replaced = home.warehouse().resolve("medlake/lab_results/data/H1-2024-01.parquet");
    assertThat(replaced).exists();
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table table = lakehouse.labResults();
      int snapshotsBefore = size(table.snapshots());
      // no compaction (every file would be rewritten): the migrated entries stay the live ones
      new TableMaintenance(lakehouse, new MaintenanceConfig(7, 24, 1))
          .run(Instant.now().plus(Duration.ofDays(40)));

      table.refresh();
      assertThat(size(table.snapshots())).isLessThan(snapshotsBefore);
      List<String> live = BareLocationLake.dataFiles(table, table.currentSnapshot().snapshotId());
      assertThat(live).hasSize(4).allMatch(location -> location.startsWith("file:///"));
      assertThat(live).allMatch(location -> LocalFileIO.file(location).exists());
      assertThat(BareLocationLake.rows(home, live)).isEqualTo(rows);
      assertThat(replaced).doesNotExist();
    }
  }

  private static int size(Iterable<?> items) {
    int count = 0;
    for (Object ignored : items) {
      count++;
    }
    return count;
  }
}
