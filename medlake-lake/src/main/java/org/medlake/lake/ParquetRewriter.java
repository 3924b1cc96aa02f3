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
    String files = sources.stream().map(source -> DuckDb.literal(LocalFileIO.file(source).getPath()))
        .collect(Collectors.joining(", ", "[", "]"));
    try (Connection connection = DuckDb.open(home.config().ingest().memoryLimit(), home.config().ingest().threads(), home.temporary());
        Statement statement = connection.createStatement()) {
      statement.execute("COPY (SELECT * FROM read_parquet(" + files + ") WHERE " + keep + " ORDER BY " + orderBy + ") TO "
          + DuckDb.literal(target.toString()) + " (FORMAT parquet, COMPRESSION " + home.config().ingest().compression() + ", FIELD_IDS "
          + IcebergSchemas.duckDbFieldIds(contract) + ")");
      try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM read_parquet(" + DuckDb.literal(target.toString()) + ")")) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot rewrite " + sources.size() + " data file(s) into " + target + ": "
          + e.getMessage(), e);
    }
  }
}
