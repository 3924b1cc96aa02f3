package org.medlake.lake;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;

/**
 * A lab-results table as medlake wrote it before its locations were fully qualified: every metadata
 * file, manifest list, manifest and data file named by a bare path. It is written with the file
 * access medlake used then (Iceberg's local files, whose locations are plain paths) into a home's
 * own catalog and warehouse: appends of hospital-months and a resubmission replacing one.
 */
public final class BareLocationLake {
  private BareLocationLake() {}

  /** The rows written per hospital-month. */
  public static final int ROWS = 120;

  /**
   * Writes {@code months} hospital-months for hospitals H1 and H2 from 2024-01 in commits of one
   * each, then replaces H1 2024-01 with a resubmission of {@link #ROWS} other rows; returns the
   * number of rows stored.
   */
  public static long write(MedlakeHome home, int months) throws Exception {
    Map<String, String> properties = new HashMap<>();
    properties.put(
        CatalogProperties.URI, "jdbc:sqlite:" + home.catalogDatabase() + "?journal_mode=WAL");
    properties.put("jdbc.schema-version", "V1");
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, home.warehouse().toUri().toString());
    properties.put(CatalogProperties.FILE_IO_IMPL, BareFileIO.class.getName());
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration(false));
    catalog.initialize(home.config().catalog().name(), properties);
    try (catalog) {
      Namespace namespace = Namespace.of(LabResults.NAMESPACE);
      catalog.createNamespace(namespace);
      Schema schema = IcebergSchemas.schema(LabResults.CONTRACT);
      Table table =
          catalog
              .buildTable(TableIdentifier.of(namespace, LabResults.TABLE), schema)
              .withPartitionSpec(IcebergSchemas.partitionSpec(LabResults.CONTRACT, schema))
              .withSortOrder(IcebergSchemas.sortOrder(LabResults.CONTRACT, schema))
              .withProperties(Map.of(TableProperties.FORMAT_VERSION, "2"))
              .create();
      Path data = home.warehouse().resolve("medlake/lab_results/data");
      long rows = 0;
      for (String hospital : List.of("H1", "H2")) {
        for (int i = 0; i < months; i++) {
          YearMonth month = YearMonth.of(2024, 1).plusMonths(i);
          Path file = data.resolve(hospital + "-" + month + ".parquet");
          LabResultFiles.parquet(home, hospital, month, ROWS, 17, file);
          table.newAppend().appendFile(register(table, file, hospital, month)).commit();
          rows += ROWS;
        }
      }
      // a resubmission of H1 2024-01: the month's file replaced by another
      YearMonth first = YearMonth.of(2024, 1);
      Path resubmitted = data.resolve("H1-" + first + "-v2.parquet");
      LabResultFiles.parquet(home, "H1", first, ROWS, 23, resubmitted);
      table
          .newOverwrite()
          .overwriteByRowFilter(
              Expressions.and(
                  Expressions.equal("hospital_id", "H1"),
                  Expressions.equal(
                      Expressions.month("collected_at"),
                      (first.getYear() - 1970) * 12 + first.getMonthValue() - 1)))
          .addFile(register(table, resubmitted, "H1", first))
          .commit();
      return rows;
    }
  }

  /** The data files {@code snapshot} of {@code table} names, as it names them. */
  public static List<String> dataFiles(Table table, long snapshot) throws IOException {
    List<String> locations = new java.util.ArrayList<>();
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot).planFiles()) {
      tasks.forEach(task -> locations.add(task.file().location()));
    }
    return locations;
  }

  /** The rows in the Parquet files at {@code locations}, counted by DuckDB. */
  public static long rows(MedlakeHome home, List<String> locations) throws java.sql.SQLException {
    String list =
        locations.stream()
            .map(location -> DuckDb.literal(LocalFileIO.file(location).getPath()))
            .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    try (java.sql.Connection connection = DuckDb.open("1GB", 1, home.temporary());
        java.sql.Statement statement = connection.createStatement();
        java.sql.ResultSet result =
            statement.executeQuery("SELECT count(*) FROM read_parquet(" + list + ")")) {
      result.next();
      return result.getLong(1);
    }
  }

  private static DataFile register(Table table, Path file, String hospital, YearMonth month) {
    int ordinal = (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    return DataFileRegistrar.register(
        table,
        file,
        file.toAbsolutePath().toString(),
        "collected_at_month=" + ordinal + "/hospital_id=" + hospital);
  }

  /** The file access medlake had: a plain path or a {@code file:} URI in, a plain path out. */
  public static final class BareFileIO implements FileIO {
    @Override
    public InputFile newInputFile(String path) {
      return org.apache.iceberg.Files.localInput(LocalFileIO.file(path));
    }

    @Override
    public OutputFile newOutputFile(String path) {
      File file = LocalFileIO.file(path);
      try {
        Files.createDirectories(file.toPath().getParent());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return org.apache.iceberg.Files.localOutput(file);
    }

    @Override
    public void deleteFile(String path) {
      try {
        Files.deleteIfExists(LocalFileIO.file(path).toPath());
      } catch (NoSuchFileException ignored) {
        // already gone
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
