package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;

/**
 * A table created under the first contract (20 columns, {@code test_code} required) is brought to
 * the current one: the new columns get the contract's field ids, {@code test_code} becomes
 * optional, and data files of both generations read together with nulls where a file lacks a
 * column.
 */
class TestSchemaEvolution {
  @TempDir Path directory;

  /** The contract as it was before results of every kind and local codes were kept. */
  private static TableContract firstContract() {
    List<Column> columns = new ArrayList<>();
    for (Column column : LabResults.CONTRACT.columns()) {
      if (column.id() <= 20) {
        columns.add(
            column.name().equals("test_code")
                ? new Column(column.id(), column.name(), column.type(), true, column.description())
                : column);
      }
    }
    TableContract current = LabResults.CONTRACT;
    return new TableContract(
        current.name(),
        current.description(),
        columns,
        current.monthPartitionColumn(),
        current.identityPartitionColumn(),
        current.sortColumns());
  }

  @Test
  void anOldTableGainsTheNewColumnsWithTheContractsIds() throws Exception {
    try (InMemoryCatalog catalog = new InMemoryCatalog()) {
      catalog.initialize("test", Map.of("warehouse", directory.toString()));
      catalog.createNamespace(Namespace.of("medlake"));
      Schema old = IcebergSchemas.schema(firstContract());
      Table table =
          catalog.createTable(
              TableIdentifier.of("medlake", "lab_results"), old, PartitionSpec.unpartitioned());
      assertThat(table.schema().findField("test_code").isRequired()).isTrue();

      Lakehouse.evolve(table, LabResults.CONTRACT);
      Lakehouse.evolve(table, LabResults.CONTRACT);

      table.refresh();
      for (Column column : LabResults.CONTRACT.columns()) {
        assertThat(table.schema().findField(column.name()).fieldId())
            .as(column.name())
            .isEqualTo(column.id());
      }
      assertThat(table.schema().findField("test_code").isOptional()).isTrue();
      assertThat(table.schema().columns()).hasSize(LabResults.CONTRACT.columns().size());

      Path oldFile = directory.resolve("old.parquet");
      Path newFile = directory.resolve("new.parquet");
      try (Connection connection = DuckDb.open("1GB", 1, directory);
          Statement statement = connection.createStatement()) {
        statement.execute(
            "COPY (SELECT 'H1' AS hospital_id, '2345-7' AS test_code, 1.5 AS value_numeric) TO "
                + DuckDb.literal(oldFile.toString())
                + " (FORMAT parquet, FIELD_IDS {hospital_id: 1, test_code: 4, value_numeric: 7})");
        statement.execute(
            "COPY (SELECT 'H2' AS hospital_id, NULL::VARCHAR AS test_code, 'range' AS value_kind, 'U7' AS local_code) TO "
                + DuckDb.literal(newFile.toString())
                + " (FORMAT parquet, FIELD_IDS {hospital_id: 1, test_code: 4, value_kind: 21, local_code: 26})");
        String files =
            "["
                + DuckDb.literal(oldFile.toString())
                + ", "
                + DuckDb.literal(newFile.toString())
                + "]";
        List<String> rows = new ArrayList<>();
        try (ResultSet result =
            statement.executeQuery(
                "SELECT concat_ws('|', hospital_id, coalesce(test_code, '-'),"
                    + " coalesce(value_numeric::VARCHAR, '-'), coalesce(value_kind, '-'), coalesce(local_code, '-')) FROM "
                    + IcebergSchemas.duckDbReadParquet(LabResults.CONTRACT, files)
                    + " ORDER BY 1")) {
          while (result.next()) {
            rows.add(result.getString(1));
          }
        }
        assertThat(rows).containsExactly("H1|2345-7|1.5|-|-", "H2|-|-|range|U7");
      }
    }
  }
}
