package org.medlake.lake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.YearMonth;
import org.apache.iceberg.Table;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;

/**
 * Lab-result data files with known contents for tests, written the way ingestion writes them
 * (DuckDB Parquet with field ids, published to the warehouse, one Iceberg commit per
 * hospital-month), on a local or an object-store warehouse. Row i of a hospital-month: patient
 * p(i % patients), test codes cycling through three tests, value = 10 + (i % 7), reference range
 * 9-15, flag H when i % 5 = 0 else N.
 */
public final class LabResultFiles {
  public static final String[] TESTS = {"718-7", "2345-7", "2160-0"};

  private LabResultFiles() {}

  /** Writes and commits one hospital-month; returns the data file's location. */
  public static String append(MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, int rows, int patients)
      throws Exception {
    return append(home, lakehouse, hospital, month, rows, patients,
        "9.0 AS ref_low, 15.0 AS ref_high, CASE WHEN i % 5 = 0 THEN 'H' ELSE 'N' END AS abnormal_flag");
  }

  /**
   * Like {@link #append}, for a hospital that sends no flags: abnormal_flag is null; by i % 4 the
   * reference range is 9-15, only the low bound 9, only the high bound 15, or missing.
   */
  public static String appendUnflagged(MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, int rows, int patients)
      throws Exception {
    return append(home, lakehouse, hospital, month, rows, patients,
        "CASE WHEN i % 4 IN (0, 1) THEN 9.0 END AS ref_low, CASE WHEN i % 4 IN (0, 2) THEN 15.0 END AS ref_high,"
            + " NULL::VARCHAR AS abnormal_flag");
  }

  private static String append(MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, int rows, int patients,
      String rangeAndFlag) throws Exception {
    Table table = lakehouse.labResults();
    int ordinal = (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    String partitionPath = "collected_at_month=" + ordinal + "/hospital_id=" + hospital;
    Path directory = lakehouse.warehouse().objectStore()
        ? lakehouse.warehouse().stagingDirectory(table, home.temporary().resolve("fixture-" + hospital + "-" + month))
        : home.warehouse().resolve("fixture");
    Path file = directory.resolve(hospital + "-" + month + ".parquet");
    Files.createDirectories(file.getParent());
    String sql = """
        SELECT '%1$s' AS hospital_id, 'p' || '%1$s' || (i %% %2$d) AS patient_key, 'e' || i AS encounter_key,
          ['718-7', '2345-7', '2160-0'][1 + (i %% 3)] AS test_code, ['Hemoglobin', 'Glucose', 'Creatinine'][1 + (i %% 3)] AS test_name,
          'serum' AS specimen, (10 + (i %% 7))::DOUBLE AS value_numeric, NULL::VARCHAR AS value_comparator, NULL::VARCHAR AS value_text,
          'mg/dL' AS unit, %5$s,
          TIMESTAMP '%3$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 8 HOUR AS collected_at,
          TIMESTAMP '%3$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 10 HOUR AS resulted_at,
          CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END AS patient_sex, (1940 + (i %% 60))::INTEGER AS patient_birth_year,
          'fixture' AS source_id, 'fixture.csv' AS source_file, 'run-fixture-%1$s-%3$s' AS ingest_run_id,
          'number' AS value_kind, NULL::DOUBLE AS value_low, NULL::DOUBLE AS value_high, NULL::DOUBLE AS value_titer,
          NULL::DOUBLE AS value_ordinal, NULL::VARCHAR AS local_code, NULL::VARCHAR AS local_name, NULL::DOUBLE AS value_canonical,
          NULL::VARCHAR AS unit_canonical, NULL::VARCHAR AS unit_status, NULL::VARCHAR AS delta_flag
        FROM range(%4$d) t(i) ORDER BY test_code, collected_at
        """.formatted(hospital, patients, month, rows, rangeAndFlag);
    try (Connection connection = DuckDb.open("1GB", 2, home.temporary()); Statement statement = connection.createStatement()) {
      statement.execute("COPY (" + sql + ") TO " + DuckDb.literal(file.toString()) + " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS "
          + IcebergSchemas.duckDbFieldIds(LabResults.CONTRACT) + ")");
    }
    String location = lakehouse.warehouse().publish(table, file, partitionPath);
    table.newAppend()
        .appendFile(DataFileRegistrar.register(table, file, location, partitionPath))
        .set("medlake.run-id", "run-fixture-" + hospital + "-" + month)
        .set("medlake.hospital-month", hospital + "/" + month)
        .commit();
    return location;
  }
}
