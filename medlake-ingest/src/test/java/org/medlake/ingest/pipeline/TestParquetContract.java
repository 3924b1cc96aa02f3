package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;
import org.medlake.lake.DuckDb;
import org.medlake.lake.Lakehouse;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * The Parquet files DuckDB writes carry Iceberg field ids and statistics that Iceberg and DuckDB
 * agree on.
 */
class TestParquetContract {
  @TempDir Path directory;

  @Test
  void icebergAndDuckDbAgreeOnEveryFileColumnAndRow() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(2)
            .months(1)
            .rowsPerFile(1500)
            .seed(5)
            .dirtyFraction(0.03)
            .build(),
        rows -> {});
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      service.ingest(service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (Lakehouse lakehouse = Lakehouse.open(home);
        Connection connection = DuckDb.open("1GB", 2, home.temporary());
        Statement statement = connection.createStatement()) {
      for (Table table : List.of(lakehouse.labResults(), lakehouse.rejects())) {
        TableContract contract =
            table.name().endsWith(LabResults.REJECTS_TABLE)
                ? LabResults.REJECTS_CONTRACT
                : LabResults.CONTRACT;
        List<DataFile> files = dataFiles(table);
        assertThat(files).isNotEmpty();
        for (DataFile file : files) {
          String path =
              DuckDb.literal(org.medlake.lake.LocalFileIO.file(file.location()).getPath());
          assertFieldIds(statement, path, contract);
          assertStatistics(statement, path, file, table, contract);
        }
      }
      assertSameRows(statement, lakehouse.labResults());
    }
  }

  private static void assertFieldIds(Statement statement, String path, TableContract contract)
      throws SQLException {
    Map<String, Integer> fieldIds = new HashMap<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT name, field_id FROM parquet_schema(" + path + ") WHERE field_id IS NOT NULL")) {
      while (rows.next()) {
        fieldIds.put(rows.getString(1), rows.getInt(2));
      }
    }
    for (Column column : contract.columns()) {
      assertThat(fieldIds).as(column.name()).containsEntry(column.name(), column.id());
    }
  }

  private static void assertStatistics(
      Statement statement, String path, DataFile file, Table table, TableContract contract)
      throws SQLException {
    try (ResultSet rows =
        statement.executeQuery("SELECT count(*) FROM read_parquet(" + path + ")")) {
      rows.next();
      assertThat(file.recordCount()).isEqualTo(rows.getLong(1));
    }
    for (Column column : contract.columns()) {
      Types.NestedField field = table.schema().findField(column.name());
      if (!field.type().isPrimitiveType()) {
        continue;
      }
      String name = column.name();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT count(*) - count("
                  + name
                  + "), min("
                  + name
                  + "), max("
                  + name
                  + ") FROM read_parquet("
                  + path
                  + ")")) {
        rows.next();
        assertThat(file.nullValueCounts().get(field.fieldId()))
            .as(name + " nulls")
            .isEqualTo(rows.getLong(1));
        ByteBuffer lower = file.lowerBounds().get(field.fieldId());
        ByteBuffer upper = file.upperBounds().get(field.fieldId());
        if (rows.getObject(2) == null) {
          assertThat(lower).as(name + " lower bound of an all-null column").isNull();
          continue;
        }
        Object icebergMin = Conversions.fromByteBuffer(field.type(), lower);
        Object icebergMax = Conversions.fromByteBuffer(field.type(), upper);
        if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.STRING) {
          // string bounds are truncated to a prefix (16 characters) unless the column keeps full
          // metrics
          String duckMin = rows.getString(2);
          String duckMax = rows.getString(3);
          assertThat(duckMin).as(name + " min").startsWith(icebergMin.toString());
          assertThat(
                  icebergMax
                      .toString()
                      .compareTo(
                          duckMax.substring(
                              0, Math.min(duckMax.length(), icebergMax.toString().length()))))
              .as(name + " max")
              .isGreaterThanOrEqualTo(0);
          if (duckMin.length() <= 16 && duckMax.length() <= 16) {
            assertThat(icebergMin.toString()).as(name + " min").isEqualTo(duckMin);
            assertThat(icebergMax.toString()).as(name + " max").isEqualTo(duckMax);
          }
        } else {
          assertThat(render(icebergMin, field))
              .as(name + " min")
              .isEqualTo(render(rows.getObject(2), field));
          assertThat(render(icebergMax, field))
              .as(name + " max")
              .isEqualTo(render(rows.getObject(3), field));
        }
      }
    }
  }

  private static void assertSameRows(Statement statement, Table table) throws Exception {
    List<String> columns = LabResults.CONTRACT.columnNames();
    List<String> fromIceberg = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        List<String> row = new ArrayList<>();
        for (String column : columns) {
          row.add(normalize(record.getField(column)));
        }
        fromIceberg.add(String.join("|", row));
      }
    }
    List<String> fromDuckDb = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (DataFile file : dataFiles(table)) {
      files.add(DuckDb.literal(org.medlake.lake.LocalFileIO.file(file.location()).getPath()));
    }
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT "
                + String.join(", ", columns)
                + " FROM read_parquet(["
                + String.join(", ", files)
                + "])")) {
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= columns.size(); column++) {
          row.add(normalize(rows.getObject(column)));
        }
        fromDuckDb.add(String.join("|", row));
      }
    }
    fromIceberg.sort(Comparator.naturalOrder());
    fromDuckDb.sort(Comparator.naturalOrder());
    assertThat(fromIceberg).hasSizeGreaterThan(2000).isEqualTo(fromDuckDb);
  }

  private static String render(Object value, Types.NestedField field) {
    if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.TIMESTAMP
        && value instanceof Long micros) {
      return LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000),
              Math.floorMod(micros, 1_000_000) * 1000,
              java.time.ZoneOffset.UTC)
          .toString();
    }
    return normalize(value);
  }

  private static String normalize(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime().toString();
    }
    if (value instanceof Double number && number == 0.0) {
      return "0.0"; // Iceberg widens a 0.0 lower bound to -0.0
    }
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    return value.toString();
  }

  private static List<DataFile> dataFiles(Table table) throws java.io.IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file());
      }
    }
    return files;
  }
}
