package org.medlake.lake;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a local table written with bare paths ({@code /home/.../x.parquet}, as medlake wrote until
 * issue 20) to fully qualified {@code file:///} locations, so that engines with a native local file
 * system (Trino) read it: one transaction per table replaces the current snapshot's data file
 * entries with the same files under their qualified names and writes new manifests, manifest list
 * and metadata file, which {@link LocalFileIO} names qualified. No data file is copied, moved or
 * deleted; the rows and their files stay as they are. Earlier snapshots keep their bare paths
 * (medlake still reads them for time travel); maintenance treats both spellings as one file.
 */
final class LocationMigration {
  /** The table property that marks a table as migrated (and its value). */
  static final String PROPERTY = "medlake.locations";

  static final String QUALIFIED = "qualified";

  private static final Logger LOG = LoggerFactory.getLogger(LocationMigration.class);

  private LocationMigration() {}

  /** Migrates {@code table} when it still names a file by a bare path. */
  static void migrate(Table table) {
    if (QUALIFIED.equals(table.properties().get(PROPERTY))
        && !LocalFileIO.unqualified(metadataLocation(table))
        && !LocalFileIO.unqualified(table.location())) {
      return;
    }
    List<DataFile> bare = new ArrayList<>();
    Snapshot current = table.currentSnapshot();
    if (current != null) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          if (LocalFileIO.unqualified(task.file().location())) {
            bare.add(task.file());
          }
          if (!task.deletes().isEmpty()) {
            throw new IllegalStateException(
                "table " + table.name() + " has delete files, which medlake does not write");
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    Transaction transaction = table.newTransaction();
    if (LocalFileIO.unqualified(table.location())) {
      transaction.updateLocation().setLocation(LocalFileIO.qualified(table.location())).commit();
    }
    if (!bare.isEmpty()) {
      RewriteFiles rewrite = transaction.newRewrite().validateFromSnapshot(current.snapshotId());
      for (DataFile file : bare) {
        rewrite.deleteFile(file);
        rewrite.addFile(
            DataFiles.builder(table.specs().get(file.specId()))
                .copy(file)
                .withPath(LocalFileIO.qualified(file.location()))
                .build());
      }
      rewrite.commit();
    }
    // also when no data file needed renaming: a new metadata file, named qualified, for the
    // catalog to point at
    transaction.updateProperties().set(PROPERTY, QUALIFIED).commit();
    transaction.commitTransaction();
    LOG.info(
        "Table {}: {} data file entries renamed to fully qualified file: locations in one commit",
        table.name(),
        bare.size());
  }

  private static String metadataLocation(Table table) {
    return ((HasTableOperations) table).operations().current().metadataFileLocation();
  }
}
