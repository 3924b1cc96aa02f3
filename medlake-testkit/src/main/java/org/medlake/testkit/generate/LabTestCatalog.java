package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.medlake.testkit.generate.LabTest.Distribution;
import org.medlake.testkit.generate.LabTest.Parameters;
import org.medlake.testkit.generate.LabTest.Range;
import org.medlake.testkit.generate.LabTest.TextResult;

/**
 * The lab tests the generator draws from, read from {@code org/medlake/ingest/lab-tests.csv}.
 *
 * <p>The {@code distribution} column is {@code normal} or {@code lognormal}, optionally followed by
 * a reporting limit such as {@code <0.5} (values below it are reported as {@code <0.5}), or for
 * text tests {@code categorical} followed by {@code RESULT=weight} pairs, the normal result first.
 */
final class LabTestCatalog {
  static final String RESOURCE = "/org/medlake/ingest/lab-tests.csv";

  private final List<LabTest> tests;
  private final Map<String, LabTest> testsByCode;
  private final Map<String, Double> molarMasses;

  LabTestCatalog(List<LabTest> tests) {
    this(tests, Map.of());
  }

  private LabTestCatalog(List<LabTest> tests, Map<String, Double> molarMasses) {
    this.tests = List.copyOf(requireNonNull(tests, "tests is null"));
    this.testsByCode =
        this.tests.stream()
            .collect(Collectors.toUnmodifiableMap(LabTest::code, Function.identity()));
    this.molarMasses = Map.copyOf(molarMasses);
  }

  static LabTestCatalog load() {
    try (InputStream input = LabTestCatalog.class.getResourceAsStream(RESOURCE)) {
      if (input == null) {
        throw new IllegalStateException("Resource " + RESOURCE + " is missing");
      }
      List<LabTest> tests = new ArrayList<>();
      Map<String, Double> molarMasses = new HashMap<>();
      try (CsvReader<NamedCsvRecord> reader = CsvReader.builder().ofNamedCsvRecord(input)) {
        for (NamedCsvRecord record : reader) {
          LabTest test = parse(record);
          tests.add(test);
          record
              .findField("molar_mass")
              .filter(value -> !value.isEmpty())
              .ifPresent(value -> molarMasses.put(test.code(), Double.parseDouble(value)));
        }
      }
      return new LabTestCatalog(tests, molarMasses);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
  }

  List<LabTest> tests() {
    return tests;
  }

  Optional<LabTest> test(String code) {
    return Optional.ofNullable(testsByCode.get(code));
  }

  /** The molar mass in g/mol that converts the test between mass and substance units. */
  OptionalDouble molarMass(String code) {
    Double molarMass = molarMasses.get(code);
    return molarMass == null ? OptionalDouble.empty() : OptionalDouble.of(molarMass);
  }

  private static LabTest parse(NamedCsvRecord record) {
    String code = record.getField("test_code");
    String[] distribution = record.getField("distribution").trim().split(" +");
    boolean text = record.getField("kind").equals("text");
    List<TextResult> textResults = new ArrayList<>();
    double reportingLimit = Double.NaN;
    Distribution kind;
    switch (distribution[0]) {
      case "normal" -> kind = Distribution.NORMAL;
      case "lognormal" -> kind = Distribution.LOG_NORMAL;
      case "categorical" -> kind = Distribution.CATEGORICAL;
      default ->
          throw new IllegalStateException(
              "Test " + code + " has unknown distribution '" + distribution[0] + "'");
    }
    if (text != (kind == Distribution.CATEGORICAL)) {
      throw new IllegalStateException("Test " + code + ": kind and distribution disagree");
    }
    for (int i = 1; i < distribution.length; i++) {
      String parameter = distribution[i];
      if (parameter.startsWith("<")) {
        reportingLimit = Double.parseDouble(parameter.substring(1));
      } else {
        int equals = parameter.indexOf('=');
        textResults.add(
            new TextResult(
                parameter.substring(0, equals),
                Double.parseDouble(parameter.substring(equals + 1))));
      }
    }
    return new LabTest(
        code,
        record.getField("test_name"),
        record.getField("unit"),
        new Range(bound(record, "ref_low_f", true), bound(record, "ref_high_f", false)),
        new Range(bound(record, "ref_low_m", true), bound(record, "ref_high_m", false)),
        number(record, "plausible_min", Double.NEGATIVE_INFINITY),
        number(record, "plausible_max", Double.POSITIVE_INFINITY),
        kind,
        reportingLimit,
        new Parameters(number(record, "mean_f", 0), number(record, "sd_f", 0)),
        new Parameters(number(record, "mean_m", 0), number(record, "sd_m", 0)),
        Integer.parseInt(record.getField("decimals")),
        textResults);
  }

  private static double bound(NamedCsvRecord record, String column, boolean low) {
    return number(record, column, low ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
  }

  private static double number(NamedCsvRecord record, String column, double whenEmpty) {
    String value = record.getField(column);
    return value.isEmpty() ? whenEmpty : Double.parseDouble(value);
  }
}
