package org.medlake.testkit;

import java.time.YearMonth;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The small source {@code h009} (hospital {@code H009}) that tests of held runs, uploads and the
 * Spark job deliver: one glucose result per patient in a six-column CSV, and the mapping that reads
 * it. The month rule is off, so one file can be delivered for any month.
 */
public final class GlucoseSource {
  public static final String NAME = "h009";
  public static final String HOSPITAL = "H009";
  public static final String HEADER = "patient_id,loinc,test_name,result,unit,collected_at";
  public static final String MAPPING =
      """
      source: h009
      hospital-id: H009
      time-zone: UTC
      timestamp-formats: ["%Y-%m-%d %H:%M:%S"]
      rules:
        disabled: [collected-at-in-month]
      columns:
        patient-id: patient_id
        test-code: loinc
        test-name: test_name
        result: result
        unit: unit
        collected-at: collected_at
      """;

  private GlucoseSource() {}

  /**
   * The CSV of patients {@code P<firstPatient>} to {@code P<firstPatient + count - 1>}, collected
   * in January 2024.
   */
  public static String csv(int firstPatient, int count) {
    return csv(firstPatient, count, YearMonth.of(2024, 1));
  }

  /**
   * The CSV of patients {@code P<firstPatient>} to {@code P<firstPatient + count - 1>}, collected
   * on the 15th of {@code month}.
   */
  public static String csv(int firstPatient, int count, YearMonth month) {
    return HEADER
        + "\n"
        + IntStream.range(firstPatient, firstPatient + count)
            .mapToObj(
                patient -> "P" + patient + ",2345-7,Glucose,95.5,mg/dL," + month + "-15 08:30:00\n")
            .collect(Collectors.joining());
  }
}
