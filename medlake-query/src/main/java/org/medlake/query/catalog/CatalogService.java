package org.medlake.query.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.lake.TableSummary;
import org.medlake.query.engine.RefreshedTables;

/** What the catalogue shows: tables, their schema, hospital x month coverage and snapshots. */
public final class CatalogService {
  private final RefreshedTables tables;

  /** Summaries and coverage by table version (metadata file): recomputed only after a commit. */
  private final Cache<String, Object> byVersion = Caffeine.newBuilder().maximumSize(64).build();

  public CatalogService(Lakehouse lakehouse) {
    this(lakehouse, java.time.Duration.ZERO);
  }

  /**
   * @param refreshInterval how stale the catalogue may be (a server trades this much for
   *     throughput)
   */
  public CatalogService(Lakehouse lakehouse, java.time.Duration refreshInterval) {
    this.tables = new RefreshedTables(lakehouse, refreshInterval);
  }

  @SuppressWarnings("unchecked")
  private <T> T forVersion(
      String what, Table table, java.util.function.Function<Table, T> compute) {
    String version = ((HasTableOperations) table).operations().current().metadataFileLocation();
    return (T)
        byVersion.get(
            what + '\u0000' + table.name() + '\u0000' + version, ignored -> compute.apply(table));
  }

  /** Tables the role may see: the rejects table only for admins. */
  public static List<TableContract> visibleTables(Role role) {
    return role == Role.ADMIN
        ? List.of(LabResults.CONTRACT, LabResults.REJECTS_CONTRACT)
        : List.of(LabResults.CONTRACT);
  }

  /**
   * Catalogue tables the role may not see, with the reason a refusal names: the rejects table (raw
   * delivered lines) for everybody but admins. The link vault is no catalogue table at all.
   */
  public static Map<String, String> withheldTables(Role role) {
    return role == Role.ADMIN
        ? Map.of()
        : Map.of(
            LabResults.REJECTS_CONTRACT.name(),
            "is readable by admins only, not by role " + role.key());
  }

  public List<TableSummary> tables(Role role) {
    List<TableSummary> summaries = new ArrayList<>();
    for (TableContract contract : visibleTables(role)) {
      summaries.add(
          forVersion(
              "summary",
              tables.table(contract.name()),
              table -> TableScans.summarize(table, contract.name(), contract.description())));
    }
    return summaries;
  }

  public TableContract describe(String name, Role role) {
    return visibleTables(role).stream()
        .filter(contract -> contract.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new NotFoundException(
                    "Table "
                        + name
                        + " does not exist (tables: "
                        + String.join(
                            ", ", visibleTables(role).stream().map(TableContract::name).toList())
                        + ")"));
  }

  /** One coverage cell: rows of a hospital in a month. */
  public record Partition(
      @JsonProperty("hospital_id") String hospitalId,
      @JsonProperty("month") String month,
      @JsonProperty("rows") long rows,
      @JsonProperty("files") long files,
      @JsonProperty("bytes") long bytes) {}

  public List<Partition> partitions(String name, Role role) {
    return forVersion(
        "partitions", tables.table(describe(name, role).name()), CatalogService::partitions);
  }

  private static List<Partition> partitions(Table table) {
    Map<String, long[]> cells = new TreeMap<>();
    if (table.currentSnapshot() != null) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          StructLike partition = task.file().partition();
          int monthOrdinal = partition.get(0, Integer.class);
          String month = YearMonth.of(1970, 1).plusMonths(monthOrdinal).toString();
          String key = partition.get(1, String.class) + "\u0000" + month;
          long[] cell = cells.computeIfAbsent(key, ignored -> new long[3]);
          cell[0] += task.file().recordCount();
          cell[1]++;
          cell[2] += task.file().fileSizeInBytes();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Partition> partitions = new ArrayList<>();
    cells.forEach(
        (key, cell) -> {
          String[] parts = key.split("\u0000");
          partitions.add(new Partition(parts[0], parts[1], cell[0], cell[1], cell[2]));
        });
    return List.copyOf(partitions);
  }

  /** A version of a table: which run made it, and what it changed. */
  public record SnapshotInfo(
      @JsonProperty("snapshot_id") long snapshotId,
      @JsonProperty("committed_at") Instant committedAt,
      @JsonProperty("operation") String operation,
      @JsonProperty("run_id") String runId,
      @JsonProperty("hospital_month") String hospitalMonth,
      @JsonProperty("added_rows") long addedRows,
      @JsonProperty("deleted_rows") long deletedRows,
      @JsonProperty("total_rows") long totalRows) {}

  public List<SnapshotInfo> snapshots(String name, Role role) {
    Table table = tables.table(describe(name, role).name());
    List<SnapshotInfo> snapshots = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      Map<String, String> summary = snapshot.summary();
      snapshots.add(
          new SnapshotInfo(
              snapshot.snapshotId(),
              Instant.ofEpochMilli(snapshot.timestampMillis()),
              snapshot.operation(),
              summary.get("medlake.run-id"),
              summary.get("medlake.hospital-month"),
              number(summary, "added-records"),
              number(summary, "deleted-records"),
              number(summary, "total-records")));
    }
    return snapshots;
  }

  private static long number(Map<String, String> summary, String key) {
    return Long.parseLong(summary.getOrDefault(key, "0"));
  }
}
