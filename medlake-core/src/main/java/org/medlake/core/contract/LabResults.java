package org.medlake.core.contract;

import static org.medlake.core.contract.ColumnType.DOUBLE;
import static org.medlake.core.contract.ColumnType.INT;
import static org.medlake.core.contract.ColumnType.LONG;
import static org.medlake.core.contract.ColumnType.STRING;
import static org.medlake.core.contract.ColumnType.STRING_LIST;
import static org.medlake.core.contract.ColumnType.TIMESTAMP;

import java.util.List;
import java.util.Set;

/** The data contract: the canonical lab-result table and its quarantine table. */
public final class LabResults {
  public static final String NAMESPACE = "medlake";
  public static final String TABLE = "lab_results";
  public static final String REJECTS_TABLE = "lab_results_rejects";

  /** Values allowed in {@code abnormal_flag}. */
  public static final Set<String> ABNORMAL_FLAGS = Set.of("N", "L", "H", "LL", "HH", "A");

  /** Values allowed in {@code patient_sex}. */
  public static final Set<String> SEXES = Set.of("F", "M", "U");

  /** Values allowed in {@code value_comparator}. */
  public static final Set<String> COMPARATORS = Set.of("<", "<=", ">", ">=");

  /** Ages above this are generalised (HIPAA Safe Harbor): the birth year is moved up to it. */
  public static final int MAX_REPORTED_AGE = 89;

  public static final TableContract CONTRACT =
      new TableContract(
          TABLE,
          "One row per laboratory test result, pseudonymized, from all hospitals and months.",
          List.of(
              new Column(1, "hospital_id", STRING, true, "Hospital that delivered the result"),
              new Column(
                  2,
                  "patient_key",
                  STRING,
                  true,
                  "Random surrogate key of the patient (never the hospital's id)"),
              new Column(
                  3, "encounter_key", STRING, false, "Random surrogate key of the encounter"),
              new Column(
                  4,
                  "test_code",
                  STRING,
                  false,
                  "LOINC code of the test, e.g. 2345-7; null for a local code without a standard code"),
              new Column(5, "test_name", STRING, true, "Name of the test"),
              new Column(6, "specimen", STRING, false, "Specimen type, e.g. serum"),
              new Column(
                  7,
                  "value_numeric",
                  DOUBLE,
                  false,
                  "Numeric result (number or censored results only)"),
              new Column(
                  8,
                  "value_comparator",
                  STRING,
                  false,
                  "Comparator of a censored result: <, <=, >, >="),
              new Column(
                  9,
                  "value_text",
                  STRING,
                  false,
                  "The result as written when it is not a plain number, e.g. NEG, 1+, 0-2, 1:80"),
              new Column(
                  10,
                  "unit",
                  STRING,
                  false,
                  "Unit of the result: UCUM when understood, else as written"),
              new Column(11, "ref_low", DOUBLE, false, "Lower bound of the reference range"),
              new Column(12, "ref_high", DOUBLE, false, "Upper bound of the reference range"),
              new Column(
                  13,
                  "abnormal_flag",
                  STRING,
                  false,
                  "N, L, H, LL, HH or A (abnormal, direction unknown)"),
              new Column(14, "collected_at", TIMESTAMP, true, "Specimen collection time, UTC"),
              new Column(15, "resulted_at", TIMESTAMP, false, "Result time, UTC"),
              new Column(16, "patient_sex", STRING, false, "F, M or U"),
              new Column(
                  17, "patient_birth_year", INT, false, "Birth year; ages over 89 generalised"),
              new Column(18, "source_id", STRING, true, "Source mapping that read the row"),
              new Column(19, "source_file", STRING, true, "File the row came from"),
              new Column(20, "ingest_run_id", STRING, true, "Ingestion run that stored the row"),
              new Column(
                  21,
                  "value_kind",
                  STRING,
                  false,
                  "number, censored, range, titer, ordinal or text"),
              new Column(
                  22, "value_low", DOUBLE, false, "Lower bound of a range result (0-2 -> 0)"),
              new Column(
                  23, "value_high", DOUBLE, false, "Upper bound of a range result (0-2 -> 2)"),
              new Column(
                  24, "value_titer", DOUBLE, false, "Dilution of a titer result (1:80 -> 80)"),
              new Column(
                  25,
                  "value_ordinal",
                  DOUBLE,
                  false,
                  "Grade of a semi-quantitative result: NEG 0, TRACE 0.5, 1+ 1, 2+ 2"),
              new Column(26, "local_code", STRING, false, "The hospital's own test code"),
              new Column(27, "local_name", STRING, false, "The hospital's own test name"),
              new Column(
                  28,
                  "value_canonical",
                  DOUBLE,
                  false,
                  "value_numeric in the test's canonical unit"),
              new Column(29, "unit_canonical", STRING, false, "The test's canonical unit (UCUM)"),
              new Column(
                  30,
                  "unit_status",
                  STRING,
                  false,
                  "How the unit relates to unit_canonical: CANONICAL, CONVERTED, ASSUMED_CANONICAL, UNKNOWN_UNIT, INCOMPATIBLE_UNIT, NO_CANONICAL_UNIT"),
              new Column(
                  31,
                  "delta_flag",
                  STRING,
                  false,
                  "Y when the hospital flagged a delta-check failure")),
          "collected_at",
          "hospital_id",
          List.of("test_code", "collected_at"));

  public static final TableContract REJECTS_CONTRACT =
      new TableContract(
          REJECTS_TABLE,
          "Rows that failed validation, with their reasons; visible to admins and the sending hospital only.",
          List.of(
              new Column(1, "hospital_id", STRING, true, "Hospital that delivered the file"),
              new Column(
                  2,
                  "delivery_month",
                  TIMESTAMP,
                  true,
                  "First instant of the month the file was declared for"),
              new Column(3, "source_id", STRING, true, "Source mapping used"),
              new Column(4, "source_file", STRING, true, "File the row came from"),
              new Column(5, "source_sha256", STRING, true, "SHA-256 of the delivered file"),
              new Column(
                  6,
                  "line_number",
                  LONG,
                  true,
                  "Line in the file where the row starts (1 = first line)"),
              new Column(7, "raw_line", STRING, true, "The row as delivered"),
              new Column(8, "reason_codes", STRING_LIST, true, "Why the row was rejected"),
              new Column(9, "ingest_run_id", STRING, true, "Ingestion run that rejected the row")),
          "delivery_month",
          "hospital_id",
          List.of("line_number"));

  private LabResults() {}
}
