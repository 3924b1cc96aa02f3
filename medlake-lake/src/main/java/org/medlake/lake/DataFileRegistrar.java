package org.medlake.lake;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** Turns a Parquet file that DuckDB wrote into an Iceberg data file with full column metrics. */
public final class DataFileRegistrar {
  private DataFileRegistrar() {}

  /**
   * @param partitionPath the Iceberg partition path with transform values, e.g. {@code
   *     collected_at_month=648/hospital_id=H001} for 2024-01
   */
  public static DataFile register(Table table, Path parquetFile, String partitionPath) {
    return register(table, parquetFile, LocalFileIO.qualified(parquetFile), partitionPath);
  }

  /**
   * Registers a local Parquet file under {@code location}, where it is (or was uploaded to): the
   * metrics are read from the local copy, so an object store is never read back.
   */
  public static DataFile register(
      Table table, Path parquetFile, String location, String partitionPath) {
    return register(table, MetricsConfig.forTable(table), parquetFile, location, partitionPath);
  }

  /**
   * As {@link #register(Table, Path, String, String)}, with the table's metrics configuration read
   * once for many files.
   */
  public static DataFile register(
      Table table,
      MetricsConfig metricsConfig,
      Path parquetFile,
      String location,
      String partitionPath) {
    return builder(table, metricsConfig, parquetFile, location)
        .withPartitionPath(partitionPath)
        .build();
  }

  /**
   * As {@link #register(Table, Path, String)}, for a file that replaces others of the same {@code
   * partition}.
   */
  public static DataFile register(
      Table table, Path parquetFile, org.apache.iceberg.StructLike partition) {
    return register(table, parquetFile, LocalFileIO.qualified(parquetFile), partition);
  }

  /**
   * As {@link #register(Table, Path, org.apache.iceberg.StructLike)}, for a file uploaded to {@code
   * location}.
   */
  public static DataFile register(
      Table table, Path parquetFile, String location, org.apache.iceberg.StructLike partition) {
    return register(table, table.spec(), parquetFile, location, partition);
  }

  /**
   * As {@link #register(Table, Path, String, org.apache.iceberg.StructLike)}, for a partition of
   * {@code spec} (an earlier one of the table's).
   */
  public static DataFile register(
      Table table,
      PartitionSpec spec,
      Path parquetFile,
      String location,
      org.apache.iceberg.StructLike partition) {
    return builder(table, spec, MetricsConfig.forTable(table), parquetFile, location)
        .withPartition(partition)
        .build();
  }

  private static DataFiles.Builder builder(
      Table table, MetricsConfig metricsConfig, Path parquetFile, String location) {
    return builder(table, table.spec(), metricsConfig, parquetFile, location);
  }

  private static DataFiles.Builder builder(
      Table table,
      PartitionSpec spec,
      MetricsConfig metricsConfig,
      Path parquetFile,
      String location) {
    Metrics metrics = metrics(parquetFile, metricsConfig);
    return DataFiles.builder(spec)
        .withPath(location)
        .withFileSizeInBytes(parquetFile.toFile().length())
        .withFormat(FileFormat.PARQUET)
        .withMetrics(metrics)
        .withSortOrder(table.sortOrder());
  }

  /**
   * Iceberg's column metrics from the file's footer, as {@link ParquetUtil#fileMetrics} computes
   * them, but read with one shared set of read options: {@code fileMetrics} builds new options for
   * every file, each with a new Hadoop {@code Configuration} that parses Hadoop's default XML
   * resources again (about 3 ms a file: 4 s of a commit of 1,200 files).
   */
  static Metrics metrics(Path parquetFile, MetricsConfig metricsConfig) {
    try (ParquetFileReader reader =
        ParquetFileReader.open(new LocalInputFile(parquetFile), READ_OPTIONS)) {
      return ParquetUtil.footerMetrics(reader.getFooter(), Stream.empty(), metricsConfig);
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot read the Parquet footer of " + parquetFile + ": " + e.getMessage(),
          e);
    }
  }

  /** Only footers are read: no codec or Hadoop configuration is needed. */
  private static final ParquetReadOptions READ_OPTIONS =
      ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
}
