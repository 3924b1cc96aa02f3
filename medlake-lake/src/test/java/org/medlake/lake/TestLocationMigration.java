package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
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
      assertThat(dataFiles(table, old)).allMatch(location -> location.startsWith("/")).hasSize(6);

      assertThat(migration.operation()).isEqualTo("replace");
      assertThat(metadataLocation(table)).startsWith("file:///");
      assertThat(table.location()).startsWith("file:///");
      assertThat(migration.manifestListLocation()).startsWith("file:///");
      assertThat(migration.allManifests(table.io()))
          .extracting(ManifestFile::path)
          .allMatch(path -> path.startsWith("file:///"));
      List<String> migrated = dataFiles(table, migration);
      assertThat(migrated).hasSize(6).allMatch(location -> location.startsWith("file:///"));
      assertThat(migrated.stream().map(LocalFileIO::file).map(java.io.File::toPath).toList())
          .containsExactlyInAnyOrderElementsOf(
              dataFiles(table, old).stream().map(Path::of).toList());
      // no data file copied, moved or rewritten
      assertThat(files(home.warehouse().resolve("medlake/lab_results/data")))
          .isEqualTo(filesBefore);

      // the rows, counted by DuckDB over the files each snapshot names
      assertThat(count(home, migrated)).isEqualTo(rows);
      assertThat(count(home, dataFiles(table, old))).isEqualTo(rows);
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
      assertThat(dataFiles(table, table.currentSnapshot()))
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

  private static List<String> dataFiles(Table table, Snapshot snapshot) throws Exception {
    List<String> locations = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        locations.add(file.location());
      }
    }
    return locations;
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

  private static long count(MedlakeHome home, List<String> locations) throws Exception {
    String list =
        locations.stream()
            .map(location -> DuckDb.literal(LocalFileIO.file(location).getPath()))
            .collect(Collectors.joining(", ", "[", "]"));
    try (Connection connection = DuckDb.open("1GB", 1, home.temporary());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT count(*) FROM read_parquet(" + list + ")")) {
      result.next();
      return result.getLong(1);
    }
  }
}
