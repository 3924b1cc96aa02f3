package org.medlake.ingest.remap;

import static java.util.Objects.requireNonNull;
import static org.medlake.lake.DuckDb.literal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.LabResults;
import org.medlake.core.units.UnitConversion;
import org.medlake.core.validation.LoincCheckDigit;
import org.medlake.ingest.pipeline.CodeDictionary;
import org.medlake.lake.DuckDb;

/**
 * The DuckDB statements of a remap: the dictionary's standard codes, the rows to fill, the rewrite
 * and its check.
 */
final class RemapSql {
  /** The columns a remap fills: the code, the name, and what ingestion derives from the code. */
  static final Set<String> FILLED_COLUMNS =
      Set.of("test_code", "test_name", "value_canonical", "unit_canonical", "unit_status");

  /** Every other column of a stored row. */
  private static final String UNCHANGED_COLUMNS =
      LabResults.CONTRACT.columns().stream()
          .map(Column::name)
          .filter(name -> !FILLED_COLUMNS.contains(name))
          .collect(Collectors.joining(", "));

  private RemapSql() {}

  /**
   * What the dictionary gives a local code: a standard code (with a valid LOINC check digit or not)
   * and perhaps a name.
   */
  record Mapped(String testCode, Optional<String> testName, boolean valid) {
    Mapped {
      requireNonNull(testCode, "testCode is null");
      requireNonNull(testName, "testName is null");
    }
  }

  /**
   * The dictionary's local codes that have a standard code, by local code, also as the DuckDB table
   * {@code remap}; the check digit is LoincCheckDigit's, as at ingest.
   */
  static Map<String, Mapped> createRemapTable(Connection connection, Statement statement)
      throws SQLException {
    Map<String, Mapped> codes = new TreeMap<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT local_code, test_code, test_name FROM "
                + CodeDictionary.TABLE
                + " WHERE test_code IS NOT NULL AND coalesce(local_code, '') <> ''")) {
      while (rows.next()) {
        String testCode = rows.getString(2);
        codes.put(
            rows.getString(1),
            new Mapped(
                testCode,
                Optional.ofNullable(rows.getString(3)),
                LoincCheckDigit.isValid(testCode)));
      }
    }
    statement.execute("CREATE TABLE remap (local_code VARCHAR PRIMARY KEY, valid BOOLEAN)");
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "remap")) {
      for (Map.Entry<String, Mapped> code : codes.entrySet()) {
        appender.beginRow();
        appender.append(code.getKey());
        appender.append(code.getValue().valid());
        appender.endRow();
      }
    }
    return codes;
  }

  /**
   * The rows of a file a remap may fill: rows of the source without a standard code whose local
   * code the dictionary maps, counted per local code, and their units ({@code ""} for none).
   */
  record Candidates(Map<String, Long> rowsByCode, Set<String> units) {
    Candidates {
      rowsByCode = Map.copyOf(rowsByCode);
      units = Set.copyOf(units);
    }
  }

  static Candidates candidates(Statement statement, String relation, String source)
      throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    Set<String> units = new TreeSet<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT i.local_code, coalesce(i.unit, ''), count(*) FROM "
                + relation
                + " i JOIN remap r"
                + " ON r.local_code = i.local_code WHERE i.test_code IS NULL AND i.source_id = "
                + literal(source)
                + " GROUP BY ALL")) {
      while (rows.next()) {
        counts.merge(rows.getString(1), rows.getLong(3), Long::sum);
        units.add(rows.getString(2));
      }
    }
    return new Candidates(counts, units);
  }

  /**
   * What a rewrite must keep: the rows, the rows with a standard code (more by the rows filled),
   * and an order-independent hash of every other column of every row.
   */
  record Fingerprint(long rows, long codes, String hash) {
    Fingerprint withCodes(long newCodes) {
      return new Fingerprint(rows, newCodes, hash);
    }
  }

  static Fingerprint fingerprint(Statement statement, String relation) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT count(*), count(test_code), coalesce(sum(hash("
                + UNCHANGED_COLUMNS
                + ")::HUGEINT), 0)::VARCHAR FROM "
                + relation)) {
      rows.next();
      return new Fingerprint(rows.getLong(1), rows.getLong(2), rows.getString(3));
    }
  }

  /**
   * The rewrite of a file, over the relation {@code input}: rows of {@code source} without a
   * standard code whose local code is one of {@code codes} get the dictionary's code; its name when
   * it has one and the row's name was not the file's own ({@code namesFromFile}: the source maps a
   * test-name, so only a name equal to the local name or code was a fallback); and the canonical
   * value, unit and unit status of the new code as ingestion computes them, from {@code units} (the
   * conversion of each code's test code and stored unit, {@code ""} for none). Every other row and
   * column stays as it is.
   */
  static String fill(
      Map<String, Mapped> codes,
      Map<String, Map<String, UnitConversion>> units,
      String source,
      boolean namesFromFile) {
    List<String> values = new ArrayList<>();
    codes.forEach(
        (localCode, mapped) ->
            values.add(
                "("
                    + literal(localCode)
                    + ", "
                    + literal(mapped.testCode())
                    + ", "
                    + mapped.testName().map(name -> literal(name)).orElse("NULL")
                    + "::VARCHAR)"));
    List<String> conversions = new ArrayList<>();
    units.forEach(
        (testCode, byUnit) ->
            byUnit.forEach(
                (unit, conversion) ->
                    conversions.add(
                        "("
                            + literal(testCode)
                            + ", "
                            + literal(unit)
                            + ", "
                            + (conversion.status().isConvertible()
                                ? conversion.factor() + "::DOUBLE"
                                : "NULL::DOUBLE")
                            + ", "
                            + conversion.convertedUnit().map(DuckDb::literal).orElse("NULL")
                            + "::VARCHAR, "
                            + literal(conversion.status().name())
                            + ")")));
    String fallbackName =
        namesFromFile ? "(i.test_name = i.local_name OR i.test_name = i.local_code)" : "true";
    return "SELECT i.* REPLACE (coalesce(i.test_code, r.test_code) AS test_code,"
        + " CASE WHEN r.test_name IS NOT NULL AND "
        + fallbackName
        + " THEN r.test_name ELSE i.test_name END AS test_name,"
        + " CASE WHEN r.local_code IS NULL THEN i.value_canonical ELSE i.value_numeric * u.factor END AS value_canonical,"
        + " CASE WHEN r.local_code IS NULL THEN i.unit_canonical ELSE u.unit_canonical END AS unit_canonical,"
        + " CASE WHEN r.local_code IS NULL THEN i.unit_status ELSE u.status END AS unit_status)"
        + " FROM input i LEFT JOIN (VALUES "
        + String.join(", ", values)
        + ") r(local_code, test_code, test_name)"
        + " ON i.test_code IS NULL AND i.source_id = "
        + literal(source)
        + " AND r.local_code = i.local_code"
        + " LEFT JOIN (VALUES "
        + String.join(", ", conversions)
        + ") u(test_code, unit_key, factor, unit_canonical, status)"
        + " ON u.test_code = r.test_code AND u.unit_key = coalesce(i.unit, '')";
  }
}
