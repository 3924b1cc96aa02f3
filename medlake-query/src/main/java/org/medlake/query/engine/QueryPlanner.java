package org.medlake.query.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.medlake.core.config.S3Config;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.lake.LocalFileIO;
import org.medlake.query.plan.PruningPredicate;

/**
 * Iceberg scan planning for a query: the snapshot to read and the files its predicates cannot rule
 * out.
 */
public final class QueryPlanner {
  private QueryPlanner() {}

  public static PlannedTable plan(
      String name, Table table, List<PruningPredicate> predicates, Set<String> columns, AsOf asOf) {
    Long snapshotId = snapshot(table, asOf);
    if (snapshotId == null) {
      return new PlannedTable(name, null, List.of(), 0, 0, 0, List.of());
    }
    Expression filter = Expressions.alwaysTrue();
    for (PruningPredicate predicate : predicates) {
      if (table.schema().findField(predicate.column()) != null) {
        filter = Expressions.and(filter, expression(predicate, table));
      }
    }
    List<Integer> columnIds = new ArrayList<>();
    for (String column : columns) {
      Types.NestedField field = table.schema().findField(column);
      if (field != null) {
        columnIds.add(field.fieldId());
      }
    }
    TableScan scan = table.newScan().useSnapshot(snapshotId).filter(filter).includeColumnStats();
    List<String> files = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    long bytes = 0;
    long projected = 0;
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new IllegalStateException(
              "Table " + name + " has delete files; medlake writes copy-on-write only");
        }
        DataFile file = task.file();
        files.add(
            S3Config.isS3(file.location())
                ? file.location()
                : LocalFileIO.file(file.location()).getPath());
        sizes.add(file.fileSizeInBytes());
        bytes += file.fileSizeInBytes();
        projected += projectedBytes(file, columnIds);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Snapshot snapshot = table.snapshot(snapshotId);
    long totalFiles =
        Long.parseLong(
            snapshot.summary().getOrDefault("total-data-files", String.valueOf(files.size())));
    return new PlannedTable(name, snapshotId, files, bytes, projected, totalFiles, sizes);
  }

  private static long projectedBytes(DataFile file, List<Integer> columnIds) {
    Map<Integer, Long> sizes = file.columnSizes();
    if (sizes == null || columnIds.isEmpty()) {
      return file.fileSizeInBytes();
    }
    long bytes = 0;
    for (Integer id : columnIds) {
      bytes += sizes.getOrDefault(id, 0L);
    }
    return bytes;
  }

  static Long snapshot(Table table, AsOf asOf) {
    if (asOf.snapshotId().isPresent()) {
      long id = asOf.snapshotId().get();
      if (table.snapshot(id) == null) {
        throw new NotFoundException(
            "Table " + table.name() + " has no snapshot " + id + " (see medlake snapshots)");
      }
      return id;
    }
    if (asOf.timestamp().isPresent()) {
      long millis = asOf.timestamp().get().toEpochMilli();
      if (table.currentSnapshot() == null
          || SnapshotUtil.oldestAncestor(table).timestampMillis() > millis) {
        throw new NotFoundException(
            "Table " + table.name() + " has no snapshot at or before " + asOf.timestamp().get());
      }
      return SnapshotUtil.snapshotIdAsOfTime(table, millis);
    }
    return table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
  }

  static Expression expression(PruningPredicate predicate, Table table) {
    List<Object> values = predicate.values().stream().map(QueryPlanner::literal).toList();
    String column = predicate.column();
    return switch (predicate.operator()) {
      case EQUAL -> Expressions.equal(column, values.get(0));
      case LESS_THAN -> Expressions.lessThan(column, values.get(0));
      case LESS_THAN_OR_EQUAL -> Expressions.lessThanOrEqual(column, values.get(0));
      case GREATER_THAN -> Expressions.greaterThan(column, values.get(0));
      case GREATER_THAN_OR_EQUAL -> Expressions.greaterThanOrEqual(column, values.get(0));
      case BETWEEN ->
          Expressions.and(
              Expressions.greaterThanOrEqual(column, values.get(0)),
              Expressions.lessThanOrEqual(column, values.get(1)));
      case IN -> Expressions.in(column, values.toArray());
    };
  }

  /**
   * Iceberg converts an ISO string to its timestamp type; LocalDateTime is not one of its literals.
   */
  private static Object literal(Object value) {
    if (value instanceof LocalDateTime time) {
      return time.toString();
    }
    if (value instanceof java.sql.Timestamp time) {
      return time.toLocalDateTime().toString();
    }
    if (value == null) {
      throw new ValidationException("a pruning predicate has a null value");
    }
    return value;
  }
}
