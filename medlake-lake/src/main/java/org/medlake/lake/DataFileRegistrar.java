package org.medlake.lake;

import java.nio.file.Path;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Files;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;

/** Turns a Parquet file that DuckDB wrote into an Iceberg data file with full column metrics. */
public final class DataFileRegistrar {
  private DataFileRegistrar() {}

  /**
   * @param partitionPath the Iceberg partition path with transform values, e.g. {@code collected_at_month=648/hospital_id=H001} for 2024-01
   */
  public static DataFile register(Table table, Path parquetFile, String partitionPath) {
    return register(table, parquetFile, parquetFile.toAbsolutePath().toString(), partitionPath);
  }

  /**
   * Registers a local Parquet file under {@code location}, where it is (or was uploaded to): the
   * metrics are read from the local copy, so an object store is never read back.
   */
  public static DataFile register(Table table, Path parquetFile, String location, String partitionPath) {
    return builder(table, parquetFile, location).withPartitionPath(partitionPath).build();
  }

  /** As {@link #register(Table, Path, String)}, for a file that replaces others of the same {@code partition}. */
  public static DataFile register(Table table, Path parquetFile, org.apache.iceberg.StructLike partition) {
    return register(table, parquetFile, parquetFile.toAbsolutePath().toString(), partition);
  }

  /** As {@link #register(Table, Path, org.apache.iceberg.StructLike)}, for a file uploaded to {@code location}. */
  public static DataFile register(Table table, Path parquetFile, String location, org.apache.iceberg.StructLike partition) {
    return register(table, table.spec(), parquetFile, location, partition);
  }

  /** As {@link #register(Table, Path, String, org.apache.iceberg.StructLike)}, for a partition of {@code spec} (an earlier one of the table's). */
  public static DataFile register(Table table, PartitionSpec spec, Path parquetFile, String location, org.apache.iceberg.StructLike partition) {
    return builder(table, spec, parquetFile, location).withPartition(partition).build();
  }

  private static DataFiles.Builder builder(Table table, Path parquetFile, String location) {
    return builder(table, table.spec(), parquetFile, location);
  }

  private static DataFiles.Builder builder(Table table, PartitionSpec spec, Path parquetFile, String location) {
    InputFile inputFile = Files.localInput(parquetFile.toFile());
    Metrics metrics = ParquetUtil.fileMetrics(inputFile, MetricsConfig.forTable(table));
    return DataFiles.builder(spec)
        .withPath(location)
        .withFileSizeInBytes(inputFile.getLength())
        .withFormat(FileFormat.PARQUET)
        .withMetrics(metrics)
        .withSortOrder(table.sortOrder());
  }
}
