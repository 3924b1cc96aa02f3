package org.medlake.core.contract;

/** Why a row was quarantined. The names are stable: they are stored and shown to hospitals. */
public enum RejectReason {
  RAGGED_ROW("the row has a different number of fields than the header"),
  BAD_QUOTING("a quoted field is malformed"),
  ENCODING("the row contains bytes that are not valid in the file's encoding"),
  LINE_TOO_LONG("the row is longer than the configured maximum"),
  MISSING_PATIENT_ID("the patient id is empty"),
  MISSING_TEST_CODE("the test code is empty"),
  MISSING_TEST_NAME("the test name is empty"),
  MISSING_COLLECTED_AT("the collection time is empty"),
  MISSING_RESULT("the result is empty"),
  INVALID_TEST_CODE("the test code is not a valid LOINC code"),
  UNKNOWN_LOCAL_CODE(
      "the local test code is not in the source's code dictionary (rules.unmapped-codes: reject)"),
  UNMAPPED_LOCAL_CODE(
      "the local test code has no standard code in the dictionary or the file (rules.unmapped-codes: reject)"),
  INVALID_RESULT("the result is of a kind the source does not deliver (rules.result-kinds)"),
  INVALID_REFERENCE_RANGE("the reference range bounds are not numbers"),
  INVALID_COLLECTED_AT("the collection time does not match the source's timestamp formats"),
  INVALID_RESULTED_AT("the result time does not match the source's timestamp formats"),
  INVALID_FLAG("the abnormal flag is not one of N, L, H, LL, HH, A after value mapping"),
  INVALID_SEX("the sex is not one of F, M, U after value mapping"),
  INVALID_BIRTH_YEAR("the birth year is not a plausible year"),
  IMPLAUSIBLE_VALUE("the numeric result is outside the plausible range for the test"),
  COLLECTED_OUTSIDE_MONTH("the collection time is outside the month the file was delivered for"),
  FUTURE_TIMESTAMP("a timestamp lies in the future"),
  RESULTED_BEFORE_COLLECTED("the result time is before the collection time"),
  DUPLICATE_ROW("the row repeats an earlier row of the same file");

  private final String description;

  RejectReason(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
