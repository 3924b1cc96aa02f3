package org.medlake.ingest.remap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.IcebergSchemas;
import org.medlake.lake.TableScans;

/**
 * A medlake home with the source {@code h007} (hospital H007) that delivers local item codes and
 * names and looks them up in the dictionary {@code h007-items.csv}; delivered files are ingested
 * for real, and the table is read back with DuckDB over the files Iceberg plans.
 */
final class RemapFixture implements AutoCloseable {
  static final String SOURCE = "h007";
  static final String HEADER = "pid,item,label,name,value,unit,drawn";

  private final MedlakeHome home;
  private final IngestService service;
  private final Path deliveries;
  private int files;

  private RemapFixture(MedlakeHome home, IngestService service, Path deliveries) {
    this.home = home;
    this.service = service;
    this.deliveries = deliveries;
  }

  /**
   * @param mapsTestName whether the mapping feeds test-name from the file's {@code name} column
   * @param moreYaml top-level sections of medlake.yaml (e.g. {@code catalog:} for an object store)
   */
  static RemapFixture create(
      Path directory, String dictionary, boolean mapsTestName, String moreYaml) throws IOException {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    // the fail-safe is off: cases resubmit smaller months on purpose (TestHeldRuns covers holds)
    Files.writeString(
        root.resolve("medlake.yaml"),
        "ingest:\n  threads: 1\n  hold:\n    enabled: false\n" + moreYaml);
    MedlakeHome home = MedlakeHome.open(root);
    Files.writeString(
        home.sources().resolve(SOURCE + ".yaml"),
        """
        hospital-id: H007
        rules: {disabled: [collected-at-in-month]}
        columns: {patient-id: pid, local-code: item, local-name: label, %sresult: value, unit: unit, collected-at: drawn}
        code-lookup: {dictionary: h007-items.csv}
        """
            .formatted(mapsTestName ? "test-name: name, " : ""));
    Path deliveries = directory.resolve("deliveries");
    Files.createDirectories(deliveries);
    RemapFixture fixture =
        new RemapFixture(home, IngestService.open(home, ProgressListener.NONE), deliveries);
    fixture.dictionary(dictionary);
    return fixture;
  }

  void dictionary(String content) throws IOException {
    Files.writeString(home.sources().resolve("h007-items.csv"), content);
  }

  /**
   * Ingests the lines (after {@link #HEADER}) as a delivery of {@code month}, which must succeed
   * and keep every line.
   */
  IngestRun ingest(YearMonth month, List<String> lines) throws IOException {
    Path file = deliveries.resolve(files++ + "-items.csv");
    Files.writeString(
        file,
        HEADER + "\n" + lines.stream().map(line -> line + "\n").collect(Collectors.joining()));
    IngestRun run = service.ingest(new IngestService.Delivery(file, SOURCE, month));
    assertThat(run.status()).as(run.message()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.rowsAccepted()).as("%s", run).isEqualTo(lines.size());
    return run;
  }

  RemapReport remap(boolean dryRun) {
    return remap(dryRun, () -> {});
  }

  /**
   * A remap of its own table instance (one lakehouse a process: two would share the file cache's
   * directory); {@code beforeCommit} runs between its planning and its commit.
   */
  RemapReport remap(boolean dryRun, Runnable beforeCommit) {
    CodeRemap remap = new CodeRemap(service.lakehouse(), beforeCommit);
    return dryRun
        ? remap.plan(SOURCE, ProgressListener.NONE)
        : remap.apply(SOURCE, ProgressListener.NONE);
  }

  Table table() {
    Table table = service.lakehouse().labResults();
    table.refresh();
    return table;
  }

  List<Snapshot> snapshots() {
    List<Snapshot> snapshots = new ArrayList<>();
    table().snapshots().forEach(snapshots::add);
    return snapshots;
  }

  /**
   * Runs {@code sql} with {@code t} bound to the table's current rows; every value rendered as text
   * ({@code null} for null).
   */
  List<List<String>> query(String sql) {
    Table table = table();
    try (FileCache.Lease files =
        TableScans.readableFiles(
            service.lakehouse().warehouse(), table, Expressions.alwaysTrue())) {
      String relation =
          files.paths().isEmpty()
              ? "(" + TableScans.emptyRelation(table) + ")"
              : IcebergSchemas.duckDbReadParquet(
                  LabResults.CONTRACT,
                  files.paths().stream()
                      .map(path -> DuckDb.literal(path.toString()))
                      .collect(Collectors.joining(", ", "[", "]")));
      return read(relation, sql);
    }
  }

  /**
   * Runs {@code sql} over one data file of the table: {@code t} is bound to its rows in file order,
   * and {@code {file}} in the text is replaced by its path as an SQL literal.
   */
  List<List<String>> queryFile(org.apache.iceberg.DataFile file, String sql) {
    try (FileCache.Lease lease =
        service
            .lakehouse()
            .warehouse()
            .readable(List.of(file.location()), List.of(file.fileSizeInBytes()))) {
      String path = DuckDb.literal(lease.paths().get(0).toString());
      return read("read_parquet(" + path + ")", sql.replace("{file}", path));
    }
  }

  private List<List<String>> read(String relation, String sql) {
    try (Connection connection = DuckDb.open("1GB", 1, home.temporary());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery("WITH t AS (SELECT * FROM " + relation + ") " + sql)) {
      List<List<String>> rows = new ArrayList<>();
      ResultSetMetaData metadata = result.getMetaData();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          row.add(String.valueOf(result.getString(column)));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  long count(String sql) {
    return Long.parseLong(query(sql).get(0).get(0));
  }

  MedlakeHome home() {
    return home;
  }

  IngestService service() {
    return service;
  }

  @Override
  public void close() {
    service.close();
  }
}
