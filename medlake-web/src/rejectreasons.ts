/**
 * What each reject reason code means for the hospital that delivered the file, and how to fix it.
 * The same table is in docs/sources.md section 7 ("What a reason means and how to fix it");
 * rejectreasons.test.ts checks that the two agree and that every code of RejectReason.java is here.
 */
export interface RejectReasonHelp {
  /** The field of the row that failed, in the words of a source mapping (columns.<field>); "" for the whole row. */
  field: string;
  /** What went wrong, in plain language. */
  explanation: string;
  /** What the hospital (or the mapping's author) can do about it. */
  fix: string;
}

export const REJECT_REASONS: Readonly<Record<string, RejectReasonHelp>> = {
  LINE_TOO_LONG: {
    field: "",
    explanation: "The line is longer than the configured maximum, so it was not read.",
    fix: "Check the export for a missing line break; raise ingest.max-line-bytes only if such lines are real.",
  },
  ENCODING: {
    field: "",
    explanation: "The line has bytes that are not valid in the file's character encoding.",
    fix: "Export the file in the encoding the mapping names (csv.encoding), or correct csv.encoding.",
  },
  BAD_QUOTING: {
    field: "",
    explanation: "A quoted cell is not closed or has a stray quote inside.",
    fix: "Double every quote inside a quoted cell and close each quoted cell.",
  },
  RAGGED_ROW: {
    field: "",
    explanation: "The row has a different number of cells than the header.",
    fix: "Quote cells that contain the delimiter and give every row all columns of the header.",
  },
  MISSING_PATIENT_ID: {
    field: "patient-id",
    explanation: "The patient id is empty.",
    fix: "Fill the patient id in every row.",
  },
  MISSING_TEST_CODE: {
    field: "test-code",
    explanation: "The row has no test code (and no local code to look one up).",
    fix: "Fill the test code or the local code in every row.",
  },
  UNKNOWN_LOCAL_CODE: {
    field: "local-code",
    explanation: "The local test code is not in the source's code dictionary.",
    fix: "Add the code to the dictionary, or keep such rows with rules.unmapped-codes: keep.",
  },
  UNMAPPED_LOCAL_CODE: {
    field: "local-code",
    explanation: "The local test code has no standard (LOINC) code in the dictionary or the file.",
    fix: "Give the code its LOINC code in the dictionary, or keep such rows with rules.unmapped-codes: keep.",
  },
  INVALID_TEST_CODE: {
    field: "test-code",
    explanation: "The test code is not a valid LOINC code (digits, a dash and the right check digit).",
    fix: "Correct the LOINC code in the file or in the dictionary, e.g. 2160-0, not 2160-1.",
  },
  MISSING_TEST_NAME: {
    field: "test-name",
    explanation: "The test has no name in the file, the dictionary or the local name.",
    fix: "Fill the test name, or map the code in the dictionary with its name.",
  },
  MISSING_RESULT: {
    field: "result",
    explanation: "The result is empty.",
    fix: "Deliver only tests that have a result, or fill the result.",
  },
  INVALID_RESULT: {
    field: "result",
    explanation: "The result is of a kind this source does not deliver (rules.result-kinds).",
    fix: "Check that the result column is not shifted; widen rules.result-kinds if such results are real.",
  },
  INVALID_REFERENCE_RANGE: {
    field: "reference-range",
    explanation: "The reference range or its bounds are not understood.",
    fix: "Write the range as low-high (e.g. 0.7-1.2), <x or >x, with the mapping's decimal separator.",
  },
  MISSING_COLLECTED_AT: {
    field: "collected-at",
    explanation: "The collection time is empty.",
    fix: "Fill the collection time in every row.",
  },
  INVALID_COLLECTED_AT: {
    field: "collected-at",
    explanation: "The collection time matches none of the source's timestamp formats.",
    fix: "Write the time as the mapping's timestamp-formats expect, or add the file's format to them.",
  },
  INVALID_RESULTED_AT: {
    field: "resulted-at",
    explanation: "The result time matches none of the source's timestamp formats.",
    fix: "Write the time as the mapping's timestamp-formats expect, or leave it empty.",
  },
  INVALID_FLAG: {
    field: "abnormal-flag",
    explanation: "The abnormal flag is not one of N, L, H, LL, HH, A (or normal, high, low, ...).",
    fix: 'Use these flags, or translate the file\'s own with value-maps (e.g. "+": H).',
  },
  INVALID_SEX: {
    field: "patient-sex",
    explanation: "The sex is not one of F, M, U.",
    fix: "Use F, M or U, or translate the file's values with value-maps (e.g. w: F).",
  },
  INVALID_BIRTH_YEAR: {
    field: "patient-birth-year",
    explanation: "The birth year is not four digits, before 1870 or after the year of collection.",
    fix: "Deliver the birth year as four digits (not a full date or an age).",
  },
  IMPLAUSIBLE_VALUE: {
    field: "result",
    explanation: "The numeric result is outside the plausible range for the test.",
    fix: "Check the value and its unit (mg/dL vs µmol/L); correct a typing error.",
  },
  COLLECTED_OUTSIDE_MONTH: {
    field: "collected-at",
    explanation: "The collection time lies outside the month the file was delivered for.",
    fix: "Deliver the row with the file of its own month, or upload this file for the right month.",
  },
  FUTURE_TIMESTAMP: {
    field: "collected-at",
    explanation: "The collection or result time lies in the future.",
    fix: "Correct the time; check the year and the mapping's time-zone.",
  },
  RESULTED_BEFORE_COLLECTED: {
    field: "resulted-at",
    explanation: "The result time is before the collection time.",
    fix: "Check that the two time columns are not swapped and that both use the same time zone.",
  },
  DUPLICATE_ROW: {
    field: "",
    explanation: "The row repeats an earlier row of the same file character for character.",
    fix: "Remove the repeated row from the export; the first one was kept.",
  },
};

/** The help for a code; a code this page does not know yet gets a neutral text rather than nothing. */
export function rejectReasonHelp(code: string): RejectReasonHelp {
  return (
    REJECT_REASONS[code] ?? {
      field: "",
      explanation: "No explanation for this code yet.",
      fix: "See docs/sources.md, section 7.",
    }
  );
}
