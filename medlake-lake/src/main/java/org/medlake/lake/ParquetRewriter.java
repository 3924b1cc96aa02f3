package org.medlake.lake;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Writes the rows of existing data files (optionally only those a predicate keeps) into one new
 * Parquet file the way ingestion writes them: sorted, compressed, with Iceberg field ids. Used to
 * merge small files and to rewrite a file some of whose rows are being replaced (copy-on-write).
 */
public final class ParquetRewriter {
  private final MedlakeHome home;
  private final TableContract contract;
  private final String orderBy;

  public ParquetRewriter(MedlakeHome home, TableContract contract, String orderBy) {
    this.home = requireNonNull(home, "home is null");
    this.contract = requireNonNull(contract, "contract is null");
    this.orderBy = requireNonNull(orderBy, "orderBy is null");
  }

  /**
   * Writes the rows of {@code sources} for which {@code keep} (a DuckDB predicate over the table's
   * columns; {@code true} for all) holds to {@code target}; returns the number of rows written.
   */
  public long rewrite(List<String> sources, String keep, Path target) {
    return transform(sources, "SELECT * FROM input WHERE " + keep, target);
  }

  /**
   * Writes the rows of {@code query}, a DuckDB query over the relation {@code input} (the rows of
   * {@code sources}) giving the table's columns in contract order, to {@code target}, sorted;
   * returns the number of rows written.
   */
  public long transform(List<String> sources, String query, Path target) {
    String files =
        sources.stream()
            .map(source -> DuckDb.literal(LocalFileIO.file(source).getPath()))
            .collect(Collectors.joining(", ", "[", "]"));
    try (Connection connection =
            DuckDb.open(
                home.config().ingest().memoryLimit(),
                home.config().ingest().threads(),
                home.temporary());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "COPY (WITH input AS (SELECT * FROM "
              + IcebergSchemas.duckDbReadParquet(contract, files)
              + ") SELECT * FROM ("
              + query
              + ") ORDER BY "
              + orderBy
              + ") TO "
              + DuckDb.literal(target.toString())
              + " (FORMAT parquet, COMPRESSION "
              + home.config().ingest().compression()
              + ", FIELD_IDS "
              + IcebergSchemas.duckDbFieldIds(contract)
              + ")");
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT count(*) FROM read_parquet(" + DuckDb.literal(target.toString()) + ")")) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot rewrite "
              + sources.size()
              + " data file(s) into "
              + target
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Rewritten rows in a local file, not yet part of the warehouse ({@link #publish} makes them so),
   * with the partition (of spec {@code specId}) of the files they came from.
   */
  public record Staged(
      Path file,
      long rows,
      org.apache.iceberg.StructLike partition,
      String partitionPath,
      int specId) {}

  /**
   * Rewrites data files of {@code table} (all of one partition) into one local file named {@code
   * name}: inputs are read in place, or from local copies when the warehouse is an object store;
   * the output goes next to the inputs, or into {@code workDirectory} for an object store.
   */
  public Staged stage(
      Warehouse warehouse,
      org.apache.iceberg.Table table,
      List<org.apache.iceberg.DataFile> sources,
      String keep,
      Path workDirectory,
      String name) {
    return stageTransformed(
        warehouse, table, sources, "SELECT * FROM input WHERE " + keep, workDirectory, name);
  }

  /**
   * As {@link #stage}, writing the rows of {@code query} over the relation {@code input} ({@link
   * #transform}).
   */
  public Staged stageTransformed(
      Warehouse warehouse,
      org.apache.iceberg.Table table,
      List<org.apache.iceberg.DataFile> sources,
      String query,
      Path workDirectory,
      String name) {
    List<String> locations = sources.stream().map(org.apache.iceberg.DataFile::location).toList();
    List<Long> sizes = sources.stream().map(org.apache.iceberg.DataFile::fileSizeInBytes).toList();
    int specId = sources.get(0).specId();
    String partitionPath = table.specs().get(specId).partitionToPath(sources.get(0).partition());
    Path directory =
        warehouse.objectStore()
            ? workDirectory
            : LocalFileIO.file(locations.get(0)).toPath().getParent();
    try (FileCache.Lease lease = warehouse.readable(locations, sizes)) {
      java.nio.file.Files.createDirectories(directory);
      Path target = directory.resolve(name);
      long rows = transform(lease.paths().stream().map(Path::toString).toList(), query, target);
      return new Staged(target, rows, sources.get(0).partition(), partitionPath, specId);
    } catch (java.io.IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot stage a rewrite in " + directory + ": " + e.getMessage(),
          e);
    }
  }

  /** Makes a staged file part of the warehouse (an upload for an object store) and registers it. */
  public static org.apache.iceberg.DataFile publish(
      Warehouse warehouse, org.apache.iceberg.Table table, Staged staged) {
    String location = warehouse.publish(table, staged.file(), staged.partitionPath());
    org.apache.iceberg.DataFile file =
        DataFileRegistrar.register(
            table, table.specs().get(staged.specId()), staged.file(), location, staged.partition());
    if (warehouse.objectStore()) {
      discard(staged);
    }
    return file;
  }

  /** Deletes a staged file that is not used (or, for an object store, already uploaded). */
  public static void discard(Staged staged) {
    try {
      java.nio.file.Files.deleteIfExists(staged.file());
    } catch (java.io.IOException ignored) {
      // an unreferenced local file in the warehouse is removed by orphan-file maintenance
    }
  }
}
