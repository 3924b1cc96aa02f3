package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/**
 * A table written with bare paths is migrated on open to fully qualified {@code file:///} locations
 * in one commit: metadata, manifest list, manifests and data file entries; the files and rows stay
 * as they were, the old snapshot still reads, and a second open changes nothing.
 */
class TestLocationMigration {
  @TempDir Path directory;

  @Test
  void openingAnOldLakeQualifiesEveryLocationInOneCommit() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    long rows = BareLocationLake.write(home, 3);
    Map<Path, Long> filesBefore = files(home.warehouse().resolve("medlake/lab_results/data"));

    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table table = lakehouse.labResults();
      Snapshot migration = table.currentSnapshot();
      Snapshot old = table.snapshot(migration.parentId());
      // the state the migration found: bare paths everywhere the old writer named a file
      assertThat(old.manifestListLocation()).startsWith("/");
      assertThat(BareLocationLake.dataFiles(table, old.snapshotId()))
          .allMatch(location -> location.startsWith("/"))
          .hasSize(6);

      assertThat(migration.operation()).isEqualTo("replace");
      assertThat(metadataLocation(table)).startsWith("file:///");
      assertThat(table.location()).startsWith("file:///");
      assertThat(migration.manifestListLocation()).startsWith("file:///");
      assertThat(migration.allManifests(table.io()))
          .extracting(ManifestFile::path)
          .allMatch(path -> path.startsWith("file:///"));
      List<String> migrated = BareLocationLake.dataFiles(table, migration.snapshotId());
      assertThat(migrated).hasSize(6).allMatch(location -> location.startsWith("file:///"));
      assertThat(migrated.stream().map(LocalFileIO::file).map(java.io.File::toPath).toList())
          .containsExactlyInAnyOrderElementsOf(
              BareLocationLake.dataFiles(table, old.snapshotId()).stream().map(Path::of).toList());
      // no data file copied, moved or rewritten
      assertThat(files(home.warehouse().resolve("medlake/lab_results/data")))
          .isEqualTo(filesBefore);

      // the rows, counted by DuckDB over the files each snapshot names
      assertThat(BareLocationLake.rows(home, migrated)).isEqualTo(rows);
      assertThat(BareLocationLake.rows(home, BareLocationLake.dataFiles(table, old.snapshotId())))
          .isEqualTo(rows);
      assertThat(table.snapshots()).hasSize(2 * 3 + 1 + 1);
    }

    try (Lakehouse again = Lakehouse.open(home)) {
      assertThat(again.labResults().snapshots()).hasSize(2 * 3 + 1 + 1);
    }
  }

  @Test
  void aNewLakeIsQualifiedFromItsFirstCommit() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("new"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LabResultFiles.append(home, lakehouse, "H1", java.time.YearMonth.of(2024, 5), 50, 7);
      Table table = lakehouse.labResults();
      assertThat(metadataLocation(table)).startsWith("file:///");
      assertThat(table.currentSnapshot().manifestListLocation()).startsWith("file:///");
      assertThat(BareLocationLake.dataFiles(table, table.currentSnapshot().snapshotId()))
          .singleElement()
          .satisfies(location -> assertThat(location).startsWith("file:///"));
    }
    try (Lakehouse again = Lakehouse.open(home)) {
      // nothing to migrate: no commit beyond the append
      assertThat(again.labResults().snapshots()).hasSize(1);
    }
  }

  private static String metadataLocation(Table table) {
    return ((HasTableOperations) table).operations().current().metadataFileLocation();
  }

  private static Map<Path, Long> files(Path directory) throws Exception {
    Map<Path, Long> sizes = new HashMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        sizes.put(file, Files.size(file));
      }
    }
    return sizes;
  }
}
