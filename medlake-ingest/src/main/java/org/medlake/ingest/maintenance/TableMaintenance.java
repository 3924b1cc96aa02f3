package org.medlake.ingest.maintenance;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.medlake.core.config.MaintenanceConfig;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.LocalFileIO;
import org.medlake.lake.ParquetRewriter;

/**
 * Table maintenance with Iceberg's own operations, each one atomic commit: small data files of a
 * partition are merged (DuckDB writes the merged Parquet, {@code RewriteFiles} swaps it in),
 * manifests are rewritten into few (one per partition spec, up to Iceberg's target size), snapshots
 * beyond the retention are expired together with the files only they referenced ({@link
 * ReleaseRetention}), and files under the table's location that no snapshot reaches (left by
 * interrupted ingests) are deleted once older than {@code maintenance.orphan-min-age-hours}, so a
 * write in flight is never touched.
 */
public final class TableMaintenance {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(TableMaintenance.class);

  /** What maintenance did to one table. */
  public record Report(
      @JsonProperty("table") String table,
      @JsonProperty("data_files_merged") int dataFilesMerged,
      @JsonProperty("manifests_before") int manifestsBefore,
      @JsonProperty("manifests_after") int manifestsAfter,
      @JsonProperty("snapshots_before") int snapshotsBefore,
      @JsonProperty("snapshots_after") int snapshotsAfter,
      @JsonProperty("orphan_files_deleted") int orphanFilesDeleted,
      @JsonProperty("files_before") long filesBefore,
      @JsonProperty("files_after") long filesAfter) {
    public Report {
      requireNonNull(table, "table is null");
    }
  }

  private final Lakehouse lakehouse;
  private final MaintenanceConfig config;

  public TableMaintenance(Lakehouse lakehouse, MaintenanceConfig config) {
    this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
    this.config = requireNonNull(config, "config is null");
  }

  /** Maintains both tables as of {@code now}. */
  public List<Report> run(Instant now) {
    // the rejects table holds one file per hospital-month, replaced whole: nothing to compact there
    int compacted = compact(lakehouse.labResults());
    return List.of(
        maintain(lakehouse.labResults(), now, compacted), maintain(lakehouse.rejects(), now, 0));
  }

  /**
   * Merges the small data files of every partition into one file each, with Iceberg's {@code
   * RewriteFiles} (one atomic commit per partition, validated against concurrent changes: a
   * partition an ingest replaced meanwhile is left for the next run). Returns the files merged
   * away.
   */
  int compact(Table table) {
    table.refresh();
    if (table.currentSnapshot() == null) {
      return 0;
    }
    long snapshotId = table.currentSnapshot().snapshotId();
    Map<String, List<DataFile>> smallFiles = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshotId).planFiles()) {
      for (FileScanTask task : tasks) {
        if (task.file().fileSizeInBytes() < config.compactBelowBytes()) {
          smallFiles
              .computeIfAbsent(
                  table.spec().partitionToPath(task.file().partition()), key -> new ArrayList<>())
              .add(task.file());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ParquetRewriter rewriter =
        new ParquetRewriter(lakehouse.home(), LabResults.CONTRACT, "test_code, collected_at");
    int mergedAway = 0;
    for (Map.Entry<String, List<DataFile>> partition : smallFiles.entrySet()) {
      List<DataFile> files = partition.getValue();
      if (files.size() < 2) {
        continue;
      }
      ParquetRewriter.Staged staged =
          rewriter.stage(
              lakehouse.warehouse(),
              table,
              files,
              "true",
              lakehouse.home().temporary().resolve("maintenance"),
              "compacted-" + UUID.randomUUID() + ".parquet");
      long expected = files.stream().mapToLong(DataFile::recordCount).sum();
      if (staged.rows() != expected) {
        ParquetRewriter.discard(staged);
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR,
            "Compaction of "
                + partition.getKey()
                + " wrote "
                + staged.rows()
                + " rows, not "
                + expected);
      }
      DataFile merged = ParquetRewriter.publish(lakehouse.warehouse(), table, staged);
      RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshotId);
      files.forEach(rewrite::deleteFile);
      rewrite.addFile(merged);
      try {
        rewrite.commit();
        mergedAway += files.size() - 1;
        LOG.info(
            "Compacted {} files of {} ({} rows) into {}",
            files.size(),
            partition.getKey(),
            staged.rows(),
            merged.location());
      } catch (org.apache.iceberg.exceptions.ValidationException
          | org.apache.iceberg.exceptions.CommitFailedException e) {
        LOG.warn(
            "Compaction of {} skipped: the partition changed meanwhile ({})",
            partition.getKey(),
            e.getMessage());
        try {
          table.io().deleteFile(merged.location());
        } catch (RuntimeException ignored) {
          // left for orphan-file removal
        }
      }
    }
    table.refresh();
    return mergedAway;
  }

  Report maintain(Table table, Instant now, int compacted) {
    table.refresh();
    long filesBefore = stored(table).size();
    if (table.currentSnapshot() == null) {
      return new Report(table.name(), 0, 0, 0, 0, 0, 0, filesBefore, filesBefore);
    }
    int manifestsBefore = table.currentSnapshot().allManifests(table.io()).size();
    int snapshotsBefore = size(table.snapshots());
    if (manifestsBefore > 1) {
      table.rewriteManifests().clusterBy(DataFile::specId).commit();
      table.refresh();
    }
    int manifestsAfter = table.currentSnapshot().allManifests(table.io()).size();

    List<ReleaseRetention.SnapshotTime> times = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      times.add(
          new ReleaseRetention.SnapshotTime(
              snapshot.snapshotId(), Instant.ofEpochMilli(snapshot.timestampMillis())));
    }
    Set<Long> retained =
        ReleaseRetention.retained(times, table.currentSnapshot().snapshotId(), now, config.keep());
    List<Long> expired =
        times.stream()
            .map(ReleaseRetention.SnapshotTime::id)
            .filter(id -> !retained.contains(id))
            .toList();
    // every file the kept snapshots reach, read once: the guard of the expiry and the orphan check
    Set<String> live = reachable(table, snapshot -> retained.contains(snapshot.snapshotId()));
    if (!expired.isEmpty()) {
      // Iceberg deletes the files only expired snapshots name, comparing locations as strings; a
      // file that a kept snapshot names in another spelling (a bare path before the migration to
      // file: locations, the URI after) is still live, so deletions go through the live set
      ExpireSnapshots expire =
          table
              .expireSnapshots()
              .cleanExpiredFiles(true)
              .deleteWith(
                  location -> {
                    if (!live.contains(key(location))) {
                      table.io().deleteFile(location);
                    }
                  });
      expired.forEach(expire::expireSnapshotId);
      expire.commit();
      table.refresh();
      // the metadata file the expiry wrote
      live.addAll(metadataFiles(table));
    }
    int orphans = removeOrphans(table, now, live);
    Report report =
        new Report(
            table.name(),
            compacted,
            manifestsBefore,
            manifestsAfter,
            snapshotsBefore,
            size(table.snapshots()),
            orphans,
            filesBefore,
            stored(table).size());
    LOG.info(
        "Maintained {}: {} small files merged away, manifests {} -> {}, snapshots {} -> {}, {} orphan files deleted, files {} -> {}",
        report.table(),
        compacted,
        manifestsBefore,
        manifestsAfter,
        snapshotsBefore,
        report.snapshotsAfter(),
        orphans,
        filesBefore,
        report.filesAfter());
    return report;
  }

  /**
   * Deletes files under the table's location that are not {@code reachable} from the kept snapshots
   * and that are older than the minimum age.
   */
  private int removeOrphans(Table table, Instant now, Set<String> reachable) {
    Instant cutoff = now.minus(config.orphanMinAge());
    int deleted = 0;
    for (Stored file : stored(table)) {
      if (!reachable.contains(file.key()) && file.modified().isBefore(cutoff)) {
        try {
          if (lakehouse.warehouse().objectStore()) {
            lakehouse.warehouse().io().deleteFile(file.location());
          } else {
            Files.delete(Path.of(file.location()));
          }
        } catch (IOException | RuntimeException e) {
          throw new MedlakeException(
              ErrorCode.STORAGE_ERROR,
              "Cannot remove orphan file " + file.location() + ": " + e.getMessage(),
              e);
        }
        deleted++;
        LOG.info("Deleted orphan file {}", file.location());
      }
    }
    return deleted;
  }

  /**
   * Keys of the files the table's metadata reaches through the snapshots {@code included} admits:
   * metadata files, manifest lists, statistics, manifests and data files.
   */
  private Set<String> reachable(Table table, java.util.function.Predicate<Snapshot> included) {
    Set<String> reachable = metadataFiles(table);
    ReachableFileUtil.statisticsFilesLocations(table).forEach(file -> reachable.add(key(file)));
    for (Snapshot snapshot : table.snapshots()) {
      if (!included.test(snapshot)) {
        continue;
      }
      if (snapshot.manifestListLocation() != null) {
        reachable.add(key(snapshot.manifestListLocation()));
      }
      for (ManifestFile manifest : snapshot.allManifests(table.io())) {
        // snapshots share most manifests: read each once
        if (!reachable.add(key(manifest.path()))) {
          continue;
        }
        try (ManifestReader<DataFile> reader =
            ManifestFiles.read(manifest, table.io(), table.specs())) {
          for (DataFile file : reader) {
            reachable.add(key(file.location()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return reachable;
  }

  /** Keys of the table's metadata files: the current one and those of its metadata log. */
  private Set<String> metadataFiles(Table table) {
    Set<String> keys = new HashSet<>();
    for (String metadata : ReachableFileUtil.metadataFileLocations(table, false)) {
      keys.add(key(metadata));
    }
    keys.add(
        key(
            ((org.apache.iceberg.HasTableOperations) table)
                .operations()
                .current()
                .metadataFileLocation()));
    return keys;
  }

  /** A file under a table's location, as listed from the warehouse. */
  private record Stored(String key, String location, Instant modified) {}

  /** Every file under the table's location: a directory walk, or an object-store listing. */
  private List<Stored> stored(Table table) {
    List<Stored> files = new ArrayList<>();
    if (lakehouse.warehouse().objectStore()) {
      try {
        for (FileInfo info :
            ((SupportsPrefixOperations) lakehouse.warehouse().io())
                .listPrefix(table.location().replaceAll("/+$", "") + "/")) {
          if (info.location().endsWith("/")) {
            continue; // a "directory" marker some stores list: not a file of the table
          }
          files.add(
              new Stored(
                  key(info.location()),
                  info.location(),
                  Instant.ofEpochMilli(info.createdAtMillis())));
        }
      } catch (RuntimeException e) {
        throw new MedlakeException(
            ErrorCode.STORAGE_ERROR, "Cannot list " + table.location() + ": " + e.getMessage(), e);
      }
      return files;
    }
    Path location = LocalFileIO.file(table.location()).toPath();
    if (!Files.isDirectory(location)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(location)) {
      for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.add(
            new Stored(
                key(file.toString()),
                file.toString(),
                Files.getLastModifiedTime(file).toInstant()));
      }
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot list " + location + ": " + e.getMessage(), e);
    }
    return files;
  }

  /** A location in one spelling: {@code s3://bucket/key}, or a normalized absolute path. */
  private String key(String location) {
    if (lakehouse.warehouse().objectStore()) {
      return location.replaceFirst("^s3a?://", "s3://");
    }
    return LocalFileIO.file(location).toPath().toAbsolutePath().normalize().toString();
  }

  private static int size(Iterable<?> items) {
    int count = 0;
    for (Object ignored : items) {
      count++;
    }
    return count;
  }
}
