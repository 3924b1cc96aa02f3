package org.medlake.core.contract;

import static org.medlake.core.contract.ColumnType.DOUBLE;
import static org.medlake.core.contract.ColumnType.INT;
import static org.medlake.core.contract.ColumnType.STRING;
import static org.medlake.core.contract.ColumnType.STRING_LIST;
import static org.medlake.core.contract.ColumnType.LONG;
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
              new Column(2, "patient_key", STRING, true, "Random surrogate key of the patient (never the hospital's id)"),
              new Column(3, "encounter_key", STRING, false, "Random surrogate key of the encounter"),
              new Column(4, "test_code", STRING, true, "LOINC code of the test, e.g. 2345-7"),
              new Column(5, "test_name", STRING, true, "Name of the test"),
              new Column(6, "specimen", STRING, false, "Specimen type, e.g. serum"),
              new Column(7, "value_numeric", DOUBLE, false, "Numeric result"),
              new Column(8, "value_comparator", STRING, false, "Comparator of a censored result: <, <=, >, >="),
              new Column(9, "value_text", STRING, false, "Text result, e.g. NEG or POS"),
              new Column(10, "unit", STRING, false, "Unit of the result (UCUM where known)"),
              new Column(11, "ref_low", DOUBLE, false, "Lower bound of the reference range"),
              new Column(12, "ref_high", DOUBLE, false, "Upper bound of the reference range"),
              new Column(13, "abnormal_flag", STRING, false, "N, L, H, LL, HH or A (abnormal, direction unknown)"),
              new Column(14, "collected_at", TIMESTAMP, true, "Specimen collection time, UTC"),
              new Column(15, "resulted_at", TIMESTAMP, false, "Result time, UTC"),
              new Column(16, "patient_sex", STRING, false, "F, M or U"),
              new Column(17, "patient_birth_year", INT, false, "Birth year; ages over 89 generalised"),
              new Column(18, "source_id", STRING, true, "Source mapping that read the row"),
              new Column(19, "source_file", STRING, true, "File the row came from"),
              new Column(20, "ingest_run_id", STRING, true, "Ingestion run that stored the row")),
          "collected_at",
          "hospital_id",
          List.of("test_code", "collected_at"));

  public static final TableContract REJECTS_CONTRACT =
      new TableContract(
          REJECTS_TABLE,
          "Rows that failed validation, with their reasons; visible to admins and the sending hospital only.",
          List.of(
              new Column(1, "hospital_id", STRING, true, "Hospital that delivered the file"),
              new Column(2, "delivery_month", TIMESTAMP, true, "First instant of the month the file was declared for"),
              new Column(3, "source_id", STRING, true, "Source mapping used"),
              new Column(4, "source_file", STRING, true, "File the row came from"),
              new Column(5, "source_sha256", STRING, true, "SHA-256 of the delivered file"),
              new Column(6, "line_number", LONG, true, "Line in the file where the row starts (1 = first line)"),
              new Column(7, "raw_line", STRING, true, "The row as delivered"),
              new Column(8, "reason_codes", STRING_LIST, true, "Why the row was rejected"),
              new Column(9, "ingest_run_id", STRING, true, "Ingestion run that rejected the row")),
          "delivery_month",
          "hospital_id",
          List.of("line_number"));

  private LabResults() {}
}
