package org.medlake.lake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;

/**
 * Lab-result data files with known contents for tests, written the way ingestion writes them
 * (DuckDB Parquet with field ids, published to the warehouse, one Iceberg commit per
 * hospital-month), on a local or an object-store warehouse. Row i of a hospital-month: patient p(i
 * % patients), test codes cycling through three tests, value = 10 + (i % 7), reference range 9-15,
 * flag H when i % 5 = 0 else N.
 */
public final class LabResultFiles {
  public static final String[] TESTS = {"718-7", "2345-7", "2160-0"};

  private LabResultFiles() {}

  /** Writes and commits one hospital-month; returns the data file's location. */
  public static String append(
      MedlakeHome home,
      Lakehouse lakehouse,
      String hospital,
      YearMonth month,
      int rows,
      int patients)
      throws Exception {
    return append(
        home,
        lakehouse,
        hospital,
        month,
        rows,
        patients,
        "9.0 AS ref_low, 15.0 AS ref_high, CASE WHEN i % 5 = 0 THEN 'H' ELSE 'N' END AS abnormal_flag");
  }

  /**
   * Like {@link #append}, for a hospital that sends no flags: abnormal_flag is null; by i % 4 the
   * reference range is 9-15, only the low bound 9, only the high bound 15, or missing.
   */
  public static String appendUnflagged(
      MedlakeHome home,
      Lakehouse lakehouse,
      String hospital,
      YearMonth month,
      int rows,
      int patients)
      throws Exception {
    return append(
        home,
        lakehouse,
        hospital,
        month,
        rows,
        patients,
        "CASE WHEN i % 4 IN (0, 1) THEN 9.0 END AS ref_low, CASE WHEN i % 4 IN (0, 2) THEN 15.0 END AS ref_high,"
            + " NULL::VARCHAR AS abnormal_flag");
  }

  /**
   * One result of {@link #appendResults}: the columns that carry its value and unit. The other
   * columns are those of {@link #append} (row i of the list is row i there).
   */
  public record Result(
      String patientKey,
      String testCode,
      Double valueNumeric,
      String unit,
      Double valueCanonical,
      String unitCanonical,
      String unitStatus) {}

  /** Writes and commits one hospital-month holding exactly {@code results}. */
  public static String appendResults(
      MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, List<Result> results)
      throws Exception {
    String values =
        results.stream()
            .map(
                result ->
                    Stream.of(
                            result.patientKey(),
                            result.testCode(),
                            result.valueNumeric(),
                            result.unit(),
                            result.valueCanonical(),
                            result.unitCanonical(),
                            result.unitStatus())
                        .map(LabResultFiles::literal)
                        .collect(Collectors.joining(", ", "(", ")")))
            .collect(Collectors.joining(", "));
    String sql =
        """
        SELECT '%1$s' AS hospital_id, r.patient_key, 'e' || i AS encounter_key, r.test_code, coalesce(r.test_code, 'local') AS test_name,
          'serum' AS specimen, r.value_numeric::DOUBLE AS value_numeric, NULL::VARCHAR AS value_comparator, NULL::VARCHAR AS value_text,
          r.unit::VARCHAR AS unit, NULL::DOUBLE AS ref_low, NULL::DOUBLE AS ref_high, NULL::VARCHAR AS abnormal_flag,
          TIMESTAMP '%2$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 8 HOUR AS collected_at,
          TIMESTAMP '%2$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 10 HOUR AS resulted_at,
          'F' AS patient_sex, 1970 AS patient_birth_year,
          'fixture' AS source_id, 'fixture.csv' AS source_file, 'run-fixture-%1$s-%2$s' AS ingest_run_id,
          CASE WHEN r.value_numeric IS NULL THEN 'text' ELSE 'number' END AS value_kind, NULL::DOUBLE AS value_low,
          NULL::DOUBLE AS value_high, NULL::DOUBLE AS value_titer, NULL::DOUBLE AS value_ordinal, NULL::VARCHAR AS local_code,
          NULL::VARCHAR AS local_name, r.value_canonical::DOUBLE AS value_canonical, r.unit_canonical::VARCHAR AS unit_canonical,
          r.unit_status::VARCHAR AS unit_status, NULL::VARCHAR AS delta_flag
        FROM (SELECT *, row_number() OVER () - 1 AS i
              FROM (VALUES %3$s) v(patient_key, test_code, value_numeric, unit, value_canonical, unit_canonical, unit_status)) r
        ORDER BY test_code, collected_at
        """
            .formatted(hospital, month, values);
    return write(home, lakehouse, hospital, month, sql);
  }

  private static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    return value instanceof String text ? DuckDb.literal(text) : value.toString();
  }

  private static String append(
      MedlakeHome home,
      Lakehouse lakehouse,
      String hospital,
      YearMonth month,
      int rows,
      int patients,
      String rangeAndFlag)
      throws Exception {
    return write(
        home, lakehouse, hospital, month, sql(hospital, month, rows, patients, rangeAndFlag));
  }

  /**
   * Writes one hospital-month of {@link #append} rows (flagged) to {@code file} as ingestion writes
   * Parquet, without registering it anywhere.
   */
  public static void parquet(
      MedlakeHome home, String hospital, YearMonth month, int rows, int patients, Path file)
      throws Exception {
    copy(
        home,
        sql(
            hospital,
            month,
            rows,
            patients,
            "9.0 AS ref_low, 15.0 AS ref_high, CASE WHEN i % 5 = 0 THEN 'H' ELSE 'N' END AS abnormal_flag"),
        file);
  }

  private static String sql(
      String hospital, YearMonth month, int rows, int patients, String rangeAndFlag) {
    return """
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
        """
        .formatted(hospital, patients, month, rows, rangeAndFlag);
  }

  private static String write(
      MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, String sql)
      throws Exception {
    Table table = lakehouse.labResults();
    int ordinal = (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    String partitionPath = "collected_at_month=" + ordinal + "/hospital_id=" + hospital;
    Path directory =
        lakehouse.warehouse().objectStore()
            ? lakehouse
                .warehouse()
                .stagingDirectory(
                    table, home.temporary().resolve("fixture-" + hospital + "-" + month))
            : home.warehouse().resolve("fixture");
    Path file = directory.resolve(hospital + "-" + month + ".parquet");
    copy(home, sql, file);
    String location = lakehouse.warehouse().publish(table, file, partitionPath);
    table
        .newAppend()
        .appendFile(DataFileRegistrar.register(table, file, location, partitionPath))
        .set("medlake.run-id", "run-fixture-" + hospital + "-" + month)
        .set("medlake.hospital-month", hospital + "/" + month)
        .commit();
    return location;
  }

  private static void copy(MedlakeHome home, String sql, Path file) throws Exception {
    Files.createDirectories(file.getParent());
    try (Connection connection = DuckDb.open("1GB", 2, home.temporary());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "COPY ("
              + sql
              + ") TO "
              + DuckDb.literal(file.toString())
              + " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS "
              + IcebergSchemas.duckDbFieldIds(LabResults.CONTRACT)
              + ")");
    }
  }
}
