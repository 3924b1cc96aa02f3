package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.LabResults;
import org.medlake.lake.DuckDb;

/**
 * An in-memory DuckDB with a {@code lab_results} table of the contract's columns and 52 varied
 * rows, and the same rows as Java values so tests can compute expected results independently.
 */
final class LabResultsFixture implements AutoCloseable {
  record Row(
      String hospitalId,
      String patientKey,
      String testCode,
      String testName,
      Double valueNumeric,
      String valueComparator,
      Double refLow,
      Double refHigh,
      String abnormalFlag,
      LocalDateTime collectedAt,
      String patientSex,
      Integer patientBirthYear) {
    Row {
      requireNonNull(hospitalId, "hospitalId is null");
      requireNonNull(patientKey, "patientKey is null");
      requireNonNull(testCode, "testCode is null");
      requireNonNull(testName, "testName is null");
      requireNonNull(collectedAt, "collectedAt is null");
    }
  }

  private static final List<String> HOSPITALS = List.of("H001", "H002", "H003");
  private static final List<String[]> TESTS =
      List.of(
          new String[] {"2345-7", "Glucose [Mass/volume] in Serum"},
          new String[] {"718-7", "Hemoglobin [Mass/volume] in Blood"},
          new String[] {"2160-0", "Creatinine [Mass/volume] in Serum"},
          new String[] {"5196-1", "Hepatitis B surface Ag"});
  // Arrays.asList because List.of refuses the nulls the fixture needs.
  private static final List<String> FLAGS =
      Arrays.asList("N", "H", "N", "L", null, "HH", "N", "A", null);
  private static final List<String> COMPARATORS =
      Arrays.asList(null, null, "<", null, ">", null, "<=", null, null, null, ">=");
  private static final List<String> SEXES = List.of("F", "M", "U");
  private static final List<Integer> BIRTH_YEARS =
      Arrays.asList(1931, 1950, 1962, 1975, 1984, 1995, 2001, 2010, null, 1940);

  static final List<Row> ROWS = rows();

  private final Connection connection;

  private LabResultsFixture(Connection connection) {
    this.connection = connection;
  }

  static LabResultsFixture open(Path temporaryDirectory) throws SQLException {
    Connection connection = DuckDb.open("512MB", 2, temporaryDirectory);
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          LabResults.CONTRACT.columns().stream()
              .map(column -> column.name() + " " + column.type().duckDbType())
              .collect(Collectors.joining(", ", "CREATE TABLE lab_results (", ")")));
    }
    String placeholders =
        String.join(", ", Collections.nCopies(LabResults.CONTRACT.columns().size(), "?"));
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO lab_results VALUES (" + placeholders + ")")) {
      for (int i = 0; i < ROWS.size(); i++) {
        Row row = ROWS.get(i);
        int index = 1;
        for (Column column : LabResults.CONTRACT.columns()) {
          insert.setObject(index++, cell(row, column.name(), i), sqlType(column));
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return new LabResultsFixture(connection);
  }

  /**
   * Runs a compiled query the way the executor will: one prepared statement, parameters bound in
   * order.
   */
  List<Map<String, Object>> run(CompiledQuery query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
      for (int i = 0; i < query.parameters().size(); i++) {
        statement.setObject(i + 1, query.parameters().get(i));
      }
      List<Map<String, Object>> result = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        ResultSetMetaData metadata = rows.getMetaData();
        while (rows.next()) {
          Map<String, Object> row = new TreeMap<>();
          for (int column = 1; column <= metadata.getColumnCount(); column++) {
            Object value =
                metadata.getColumnType(column) == Types.TIMESTAMP
                    ? rows.getObject(column, LocalDateTime.class)
                    : rows.getObject(column);
            row.put(metadata.getColumnLabel(column), value);
          }
          result.add(Collections.unmodifiableMap(row));
        }
      }
      return result;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      String[] test = TESTS.get(i % TESTS.size());
      boolean textResult = test[0].equals("5196-1");
      rows.add(
          new Row(
              HOSPITALS.get(i % HOSPITALS.size()),
              "P" + (i % 11),
              test[0],
              test[1],
              textResult ? null : 3.0 + (i * 7 % 23) * 0.5,
              textResult ? null : COMPARATORS.get(i % COMPARATORS.size()),
              i % 5 == 0 ? null : 5.0,
              i % 7 == 0 ? null : 12.0,
              FLAGS.get(i % FLAGS.size()),
              LocalDateTime.of(2024, 1 + i % 6, 1 + i % 28, i % 24, (i * 13) % 60, 0),
              SEXES.get(i % SEXES.size()),
              BIRTH_YEARS.get(i % BIRTH_YEARS.size())));
    }
    // A small set with a known 95th percentile: 1, 2, 3, 4, 5 gives 4.8.
    for (int value = 1; value <= 5; value++) {
      rows.add(
          new Row(
              "H009",
              "Q" + value,
              "1234-5",
              "Known set",
              (double) value,
              null,
              null,
              null,
              "N",
              LocalDateTime.of(2023, 12, 31, 23, 59, 59),
              "F",
              1980));
    }
    return List.copyOf(rows);
  }

  private static Object cell(Row row, String column, int index) {
    return switch (column) {
      case "hospital_id" -> row.hospitalId();
      case "patient_key" -> row.patientKey();
      case "encounter_key" -> "E" + index;
      case "test_code" -> row.testCode();
      case "test_name" -> row.testName();
      case "specimen" -> "serum";
      case "value_numeric" -> row.valueNumeric();
      case "value_comparator" -> row.valueComparator();
      case "ref_low" -> row.refLow();
      case "ref_high" -> row.refHigh();
      case "value_text" -> row.valueNumeric() == null ? "NEG" : null;
      case "unit" -> "mg/dL";
      case "abnormal_flag" -> row.abnormalFlag();
      case "collected_at" -> row.collectedAt();
      case "resulted_at" -> row.collectedAt().plusHours(2);
      case "patient_sex" -> row.patientSex();
      case "patient_birth_year" -> row.patientBirthYear();
      case "source_id" -> "source-" + row.hospitalId();
      case "source_file" -> "file.csv";
      case "ingest_run_id" -> "run-1";
      default -> null;
    };
  }

  private static int sqlType(Column column) {
    return switch (column.type()) {
      case STRING -> Types.VARCHAR;
      case DOUBLE -> Types.DOUBLE;
      case INT -> Types.INTEGER;
      case LONG -> Types.BIGINT;
      case TIMESTAMP -> Types.TIMESTAMP;
      case STRING_LIST -> Types.ARRAY;
    };
  }
}
