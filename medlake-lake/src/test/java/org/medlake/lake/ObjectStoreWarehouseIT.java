package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.testkit.S3Server;

/**
 * Tables in an S3-compatible object store (s3proxy on loopback): metadata, uploads, local copies
 * for DuckDB.
 */
class ObjectStoreWarehouseIT {
  @TempDir static Path directory;
  static S3Server s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake", "landing");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  static MedlakeHome home(Path root, String prefix, String cacheSize) throws Exception {
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/%s
          s3:
            endpoint: %s
            path-style-access: true
        query:
          file-cache-size: %s
        """
            .formatted(prefix, s3.endpoint(), cacheSize));
    return MedlakeHome.open(root);
  }

  @Test
  void tablesLiveInTheObjectStoreAndQueriesReadLocalCopies() throws Exception {
    MedlakeHome home = home(directory.resolve("home"), "warehouse", "10GB");
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      assertThat(lakehouse.warehouse().objectStore()).isTrue();
      assertThat(lakehouse.labResults().location())
          .isEqualTo("s3://lake/warehouse/medlake/lab_results");
      String location =
          LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 500, 40);
      LabResultFiles.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 300, 20);

      assertThat(location)
          .startsWith(
              "s3://lake/warehouse/medlake/lab_results/data/collected_at_month=648/hospital_id=H001/");
      assertThat(s3.keys("lake", "warehouse/medlake/lab_results/metadata/").toList())
          .anyMatch(key -> key.endsWith(".metadata.json"));
      assertThat(s3.keys("lake", "warehouse/medlake/lab_results/data/").toList()).hasSize(2);
      assertThat(home.warehouse()).isEmptyDirectory();

      Table table = lakehouse.labResults();
      table.refresh();
      List<String> locations;
      List<Long> sizes;
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        List<FileScanTask> list = new java.util.ArrayList<>();
        tasks.forEach(list::add);
        locations = list.stream().map(task -> task.file().location()).toList();
        sizes = list.stream().map(task -> task.file().fileSizeInBytes()).toList();
      }
      try (FileCache.Lease lease = lakehouse.warehouse().readable(locations, sizes)) {
        assertThat(lease.paths())
            .allMatch(path -> path.startsWith(lakehouse.warehouse().readableDirectories().get(0)));
        assertThat(count(home, lease.paths())).isEqualTo(800);
      }
      try (FileCache.Lease ignored = lakehouse.warehouse().readable(locations, sizes)) {
        assertThat(lakehouse.warehouse().cache().statistics())
            .isEqualTo(
                new FileCache.Statistics(sizes.stream().mapToLong(Long::longValue).sum(), 2, 2, 2));
      }
    }
  }

  @Test
  void theCacheEvictsLeastRecentlyUsedCopiesButNeverLeasedOnes() throws Exception {
    MedlakeHome home = home(directory.resolve("small-cache"), "small", "1B");
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      String first = LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 100, 10);
      String second =
          LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 100, 10);
      Warehouse warehouse = lakehouse.warehouse();
      long firstSize = lakehouse.labResults().io().newInputFile(first).getLength();
      long secondSize = lakehouse.labResults().io().newInputFile(second).getLength();
      try (FileCache.Lease both =
          warehouse.readable(List.of(first, second), List.of(firstSize, secondSize))) {
        // both leased: over the bound, nothing evicted
        assertThat(warehouse.cache().statistics().files()).isEqualTo(2);
        assertThat(both.paths()).allMatch(Files::exists);
      }
      // released: the bound (1 byte) evicts both
      assertThat(warehouse.cache().statistics().files()).isZero();
      assertThat(warehouse.readableDirectories().get(0)).isEmptyDirectory();
    }
  }

  @Test
  void aWrongSizeAndAMissingObjectAreOneLineErrors() throws Exception {
    MedlakeHome home = home(directory.resolve("errors"), "errors", "10GB");
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      String location =
          LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 50, 5);
      long size = lakehouse.labResults().io().newInputFile(location).getLength();
      assertThatThrownBy(() -> lakehouse.warehouse().readable(List.of(location), List.of(size + 1)))
          .isInstanceOf(MedlakeException.class)
          .hasMessage(location + " has " + size + " bytes, the table metadata says " + (size + 1));
      assertThatThrownBy(
              () ->
                  lakehouse
                      .warehouse()
                      .download("s3://landing/H001/2024-01/missing.csv", directory.resolve("work")))
          .hasMessage("No such object: s3://landing/H001/2024-01/missing.csv");
    }
  }

  @Test
  void landingZoneObjectsDownloadUnderTheirOwnName() throws Exception {
    MedlakeHome home = home(directory.resolve("landing-home"), "landing-test", "10GB");
    Path csv = directory.resolve("lab.csv");
    Files.writeString(csv, "a,b\n1,2\n");
    s3.put("landing", "H001/2024-01/lab.csv", csv);
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Path copy =
          lakehouse
              .warehouse()
              .download("s3://landing/H001/2024-01/lab.csv", directory.resolve("work"));
      assertThat(copy.getFileName()).hasToString("lab.csv");
      assertThat(copy).hasSameTextualContentAs(csv);
    }
  }

  private static long count(MedlakeHome home, List<Path> files) throws Exception {
    try (Connection connection = DuckDb.open("1GB", 1, home.temporary());
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet("
                    + files.stream()
                        .map(path -> DuckDb.literal(path.toString()))
                        .collect(Collectors.joining(", ", "[", "]"))
                    + ")")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
