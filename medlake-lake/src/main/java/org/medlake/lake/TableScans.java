package org.medlake.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.medlake.core.config.S3Config;

/** Scan planning: the data files of a table that a filter may touch, pruned by Iceberg. */
public final class TableScans {
  private TableScans() {}

  /**
   * Local paths of the planned data files (object-store locations as they are); only valid while
   * the table has no delete files.
   */
  public static List<String> plannedFiles(Table table, Expression filter) {
    return plannedDataFiles(table, filter).stream()
        .map(
            file ->
                S3Config.isS3(file.location())
                    ? file.location()
                    : LocalFileIO.file(file.location()).getPath())
        .toList();
  }

  /** The planned data files; only valid while the table has no delete files. */
  public static List<DataFile> plannedDataFiles(Table table, Expression filter) {
    List<DataFile> files = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return files;
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new IllegalStateException(
              "Table " + table.name() + " has delete files; medlake writes copy-on-write only");
        }
        files.add(task.file().copyWithoutStats());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Local paths DuckDB can read for the planned files, copied from an object store when needed. */
  public static FileCache.Lease readableFiles(Warehouse warehouse, Table table, Expression filter) {
    List<DataFile> files = plannedDataFiles(table, filter);
    return warehouse.readable(
        files.stream().map(DataFile::location).toList(),
        files.stream().map(DataFile::fileSizeInBytes).toList());
  }

  /**
   * A DuckDB relation with the table's columns and no rows, for a table (or a scan) without files.
   */
  public static String emptyRelation(Table table) {
    return table.schema().columns().stream()
        .map(
            field ->
                "CAST(NULL AS "
                    + switch (field.type().typeId()) {
                      case DOUBLE -> "DOUBLE";
                      case INTEGER -> "INTEGER";
                      case LONG -> "BIGINT";
                      case TIMESTAMP -> "TIMESTAMP";
                      case LIST -> "VARCHAR[]";
                      default -> "VARCHAR";
                    }
                    + ") AS "
                    + field.name())
        .collect(java.util.stream.Collectors.joining(", ", "SELECT ", " LIMIT 0"));
  }

  public static TableSummary summarize(Table table, String name, String description) {
    if (table.currentSnapshot() == null) {
      return new TableSummary(name, description, 0, 0, 0, 0, 0, null);
    }
    long rows = 0;
    long files = 0;
    long bytes = 0;
    Set<String> partitions = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        rows += task.file().recordCount();
        bytes += task.file().fileSizeInBytes();
        files++;
        partitions.add(table.spec().partitionToPath(task.file().partition()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long snapshots = 0;
    for (var ignored : table.snapshots()) {
      snapshots++;
    }
    return new TableSummary(
        name,
        description,
        rows,
        files,
        bytes,
        partitions.size(),
        snapshots,
        table.currentSnapshot().snapshotId());
  }
}
