package org.medlake.query.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** A small real lab_results table in an in-memory DuckDB, to run guarded statements against. */
final class LabResultsDatabase implements AutoCloseable {
  private static final String CREATE =
      """
      CREATE TABLE lab_results AS
      SELECT hospital_id, patient_key, encounter_key, test_code, test_name, specimen,
             CAST(value_numeric AS DOUBLE) AS value_numeric, value_comparator, value_text, unit,
             CAST(ref_low AS DOUBLE) AS ref_low, CAST(ref_high AS DOUBLE) AS ref_high, abnormal_flag,
             CAST(collected_at AS TIMESTAMP) AS collected_at, CAST(resulted_at AS TIMESTAMP) AS resulted_at,
             patient_sex, CAST(patient_birth_year AS INTEGER) AS patient_birth_year,
             source_id, source_file, ingest_run_id
      FROM (VALUES
        ('H001', 'P1', 'E1', '718-7',  'Hemoglobin', 'blood', 13.5, NULL, NULL, 'g/dL',   12.0, 16.0, 'N', '2024-01-05 08:00:00', '2024-01-05 10:30:00', 'F', 1980, 'h001-lis', 'jan.csv', 'run-1'),
        ('H001', 'P1', 'E2', '718-7',  'Hemoglobin', 'blood', 11.2, NULL, NULL, 'g/dL',   12.0, 16.0, 'L', '2024-02-07 09:15:00', '2024-02-07 11:00:00', 'F', 1980, 'h001-lis', 'feb.csv', 'run-2'),
        ('H001', 'P2', 'E3', '2345-7', 'Glucose',    'serum', 105,  NULL, NULL, 'mg/dL',  70.0, 99.0, 'H', '2024-01-20 07:45:00', '2024-01-20 09:00:00', 'M', 1955, 'h001-lis', 'jan.csv', 'run-1'),
        ('H001', 'P2', 'E4', '2345-7', 'Glucose',    'serum', 92,   NULL, NULL, 'mg/dL',  70.0, 99.0, 'N', '2024-03-02 08:30:00', '2024-03-02 09:10:00', 'M', 1955, 'h001-lis', 'mar.csv', 'run-3'),
        ('H002', 'P3', 'E5', '2345-7', 'Glucose',    'serum', 64,   NULL, NULL, 'mg/dL',  70.0, 99.0, 'L', '2024-01-11 12:00:00', '2024-01-11 15:00:00', 'F', 1992, 'h002-csv', 'h2-jan.csv', 'run-4'),
        ('H002', 'P3', 'E6', '718-7',  'Hemoglobin', 'blood', 14.1, NULL, NULL, 'g/dL',   12.0, 16.0, 'N', '2024-02-15 10:00:00', '2024-02-15 10:45:00', 'F', 1992, 'h002-csv', 'h2-feb.csv', 'run-5'),
        ('H002', 'P4', 'E7', '5196-1', 'HBsAg',      'serum', NULL, NULL, 'NEG', NULL,    NULL, NULL, 'N', '2024-02-20 14:00:00', '2024-02-21 08:00:00', 'M', 1934, 'h002-csv', 'h2-feb.csv', 'run-5'),
        ('H002', 'P4', 'E8', '2345-7', 'Glucose',    'serum', 250,  '>', NULL, 'mg/dL',   70.0, 99.0, 'HH', '2024-03-28 06:20:00', '2024-03-28 07:00:00', 'M', 1934, 'h002-csv', 'h2-mar.csv', 'run-6')
      ) AS v(hospital_id, patient_key, encounter_key, test_code, test_name, specimen, value_numeric,
             value_comparator, value_text, unit, ref_low, ref_high, abnormal_flag, collected_at,
             resulted_at, patient_sex, patient_birth_year, source_id, source_file, ingest_run_id)
      """;

  private final Connection connection;

  private LabResultsDatabase(Connection connection) {
    this.connection = connection;
  }

  static LabResultsDatabase create() throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE);
    }
    return new LabResultsDatabase(connection);
  }

  /** The rows of a query, each rendered as one line, in the order DuckDB returned them. */
  List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet resultSet = statement.executeQuery(sql)) {
      int columns = resultSet.getMetaData().getColumnCount();
      while (resultSet.next()) {
        StringJoiner row = new StringJoiner(" | ");
        for (int column = 1; column <= columns; column++) {
          row.add(String.valueOf(resultSet.getObject(column)));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
