package org.medlake.lake;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.TableContract;

/** Translates the data contract into Iceberg schema, partitioning and sort order. */
public final class IcebergSchemas {
  /** List element ids live above the column ids so they never collide. */
  private static final int ELEMENT_ID_OFFSET = 1000;

  private IcebergSchemas() {}

  public static Schema schema(TableContract contract) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Column column : contract.columns()) {
      Type type = type(column);
      fields.add(
          column.required()
              ? Types.NestedField.required(column.id(), column.name(), type, column.description())
              : Types.NestedField.optional(column.id(), column.name(), type, column.description()));
    }
    return new Schema(fields);
  }

  public static PartitionSpec partitionSpec(TableContract contract, Schema schema) {
    return PartitionSpec.builderFor(schema)
        .month(contract.monthPartitionColumn())
        .identity(contract.identityPartitionColumn())
        .build();
  }

  public static SortOrder sortOrder(TableContract contract, Schema schema) {
    SortOrder.Builder builder = SortOrder.builderFor(schema);
    for (String column : contract.sortColumns()) {
      builder.asc(column, NullOrder.NULLS_LAST);
    }
    return builder.build();
  }

  /**
   * The DuckDB {@code FIELD_IDS} option that stamps every Parquet column with its Iceberg field id;
   * without it Iceberg readers match columns by position.
   */
  /**
   * A DuckDB {@code read_parquet} over {@code files} (SQL literals) that matches columns by Iceberg
   * field id and gives null for a column a file lacks: data files written before the contract
   * gained a column (schema evolution) read alongside newer ones.
   */
  public static String duckDbReadParquet(TableContract contract, String files) {
    StringJoiner schema = new StringJoiner(", ", "map {", "}");
    for (Column column : contract.columns()) {
      schema.add(
          "%d: {name: '%s', type: '%s', default_value: NULL}"
              .formatted(column.id(), column.name(), column.type().duckDbType()));
    }
    return "read_parquet(" + files + ", schema = " + schema + ")";
  }

  public static String duckDbFieldIds(TableContract contract) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Column column : contract.columns()) {
      if (column.type() == org.medlake.core.contract.ColumnType.STRING_LIST) {
        joiner.add(
            "%s: {__duckdb_field_id: %d, element: %d}"
                .formatted(column.name(), column.id(), ELEMENT_ID_OFFSET + column.id()));
      } else {
        joiner.add(column.name() + ": " + column.id());
      }
    }
    return joiner.toString();
  }

  private static Type type(Column column) {
    return switch (column.type()) {
      case STRING -> Types.StringType.get();
      case DOUBLE -> Types.DoubleType.get();
      case INT -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case STRING_LIST ->
          Types.ListType.ofRequired(ELEMENT_ID_OFFSET + column.id(), Types.StringType.get());
    };
  }
}
