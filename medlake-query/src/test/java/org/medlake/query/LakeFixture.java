package org.medlake.query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.YearMonth;
import org.apache.iceberg.Table;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.lake.DataFileRegistrar;
import org.medlake.lake.DuckDb;
import org.medlake.lake.IcebergSchemas;
import org.medlake.lake.Lakehouse;

/**
 * A lake with known contents for query tests, written the way ingestion writes it (DuckDB Parquet
 * with field ids, one Iceberg commit per hospital-month), without depending on the ingest module.
 * Row i of a hospital-month: patient p(i % patients), test codes cycling through three tests,
 * value = 10 + (i % 7), flag H when i % 5 = 0 else N.
 */
final class LakeFixture {
  static final String[] TESTS = {"718-7", "2345-7", "2160-0"};

  private LakeFixture() {}

  static void append(MedlakeHome home, Lakehouse lakehouse, String hospital, YearMonth month, int rows, int patients) throws Exception {
    Table table = lakehouse.labResults();
    Path file = home.warehouse().resolve("fixture").resolve(hospital + "-" + month + ".parquet");
    Files.createDirectories(file.getParent());
    String sql = """
        SELECT '%1$s' AS hospital_id, 'p' || '%1$s' || (i %% %2$d) AS patient_key, 'e' || i AS encounter_key,
          ['718-7', '2345-7', '2160-0'][1 + (i %% 3)] AS test_code, ['Hemoglobin', 'Glucose', 'Creatinine'][1 + (i %% 3)] AS test_name,
          'serum' AS specimen, (10 + (i %% 7))::DOUBLE AS value_numeric, NULL::VARCHAR AS value_comparator, NULL::VARCHAR AS value_text,
          'mg/dL' AS unit, 9.0 AS ref_low, 15.0 AS ref_high, CASE WHEN i %% 5 = 0 THEN 'H' ELSE 'N' END AS abnormal_flag,
          TIMESTAMP '%3$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 8 HOUR AS collected_at,
          TIMESTAMP '%3$s-01 00:00:00' + INTERVAL (i %% 27) DAY + INTERVAL 10 HOUR AS resulted_at,
          CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END AS patient_sex, (1940 + (i %% 60))::INTEGER AS patient_birth_year,
          'fixture' AS source_id, 'fixture.csv' AS source_file, 'run-fixture-%1$s-%3$s' AS ingest_run_id
        FROM range(%4$d) t(i) ORDER BY test_code, collected_at
        """.formatted(hospital, patients, month, rows);
    try (Connection connection = DuckDb.open("1GB", 2, home.temporary()); Statement statement = connection.createStatement()) {
      statement.execute("COPY (" + sql + ") TO " + DuckDb.literal(file.toString()) + " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS "
          + IcebergSchemas.duckDbFieldIds(LabResults.CONTRACT) + ")");
    }
    int ordinal = (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    table.newAppend()
        .appendFile(DataFileRegistrar.register(table, file, "collected_at_month=" + ordinal + "/hospital_id=" + hospital))
        .set("medlake.run-id", "run-fixture-" + hospital + "-" + month)
        .set("medlake.hospital-month", hospital + "/" + month)
        .commit();
  }
}
