package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.CsvLineSplitter;

/**
 * The canonical unit, molar mass and valence of each test of the built-in test catalog ({@value
 * #RESOURCE}), read by column name: {@code test_code}, {@code unit}, {@code molar_mass} and {@code
 * valence}, and the plausible range in the canonical unit ({@code plausible_min}, {@code
 * plausible_max}) that the plausibility rule of both pipelines checks; other columns are ignored.
 */
public final class LabTestUnits {
  /** The built-in test catalog, shared with the generator and the plausibility rule. */
  public static final String RESOURCE = "/org/medlake/ingest/lab-tests.csv";

  private final List<LabTestUnit> tests;
  private final Map<String, LabTestUnit> testsByCode;
  private final Map<String, double[]> plausibleRanges;

  /** A catalog of these tests, without plausible ranges; a test code may appear once. */
  public LabTestUnits(List<LabTestUnit> tests) {
    this(tests, Map.of());
  }

  private LabTestUnits(List<LabTestUnit> tests, Map<String, double[]> plausibleRanges) {
    this.tests = List.copyOf(requireNonNull(tests, "tests is null"));
    this.testsByCode =
        this.tests.stream()
            .collect(Collectors.toUnmodifiableMap(LabTestUnit::testCode, Function.identity()));
    this.plausibleRanges = Map.copyOf(plausibleRanges);
  }

  /** The built-in catalog. */
  public static LabTestUnits load() {
    try (InputStream input = LabTestUnits.class.getResourceAsStream(RESOURCE)) {
      if (input == null) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR, "Resource " + RESOURCE + " is missing");
      }
      return read(input, RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + RESOURCE, e);
    }
  }

  /** Reads a catalog in the format of {@value #RESOURCE}; {@code name} names it in errors. */
  public static LabTestUnits read(InputStream input, String name) throws IOException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
    CsvLineSplitter splitter = new CsvLineSplitter(',', '"');
    String headerLine = reader.readLine();
    if (headerLine == null) {
      throw new MedlakeException(ErrorCode.INTERNAL_ERROR, name + ": the test catalog is empty");
    }
    List<String> header = splitter.split(headerLine).orElse(List.of());
    int code = column(header, "test_code", name);
    int unit = column(header, "unit", name);
    int molarMass = column(header, "molar_mass", name);
    int valence = column(header, "valence", name);
    int plausibleMin = header.indexOf("plausible_min");
    int plausibleMax = header.indexOf("plausible_max");
    List<LabTestUnit> tests = new ArrayList<>();
    Map<String, double[]> ranges = new java.util.HashMap<>();
    String line;
    int lineNumber = 1;
    while ((line = reader.readLine()) != null) {
      lineNumber++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      List<String> fields = splitter.split(line).orElse(List.of());
      if (fields.size() != header.size()) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR,
            name
                + ":"
                + lineNumber
                + ": expected "
                + header.size()
                + " fields, found "
                + fields.size());
      }
      try {
        tests.add(
            new LabTestUnit(
                fields.get(code).strip(),
                fields.get(unit).strip(),
                number(fields.get(molarMass)),
                integer(fields.get(valence))));
        if (plausibleMin >= 0
            && plausibleMax >= 0
            && !fields.get(plausibleMin).isBlank()
            && !fields.get(plausibleMax).isBlank()) {
          ranges.put(
              fields.get(code).strip(),
              new double[] {
                Double.parseDouble(fields.get(plausibleMin)),
                Double.parseDouble(fields.get(plausibleMax))
              });
        }
      } catch (IllegalArgumentException e) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR, name + ":" + lineNumber + ": " + e.getMessage(), e);
      }
    }
    return new LabTestUnits(tests, ranges);
  }

  /**
   * The plausible range of each test that has one, in its canonical unit: test code to {@code [min,
   * max]} (copies).
   */
  public Map<String, double[]> plausibleRanges() {
    return plausibleRanges.entrySet().stream()
        .collect(
            Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> entry.getValue().clone()));
  }

  /** The unit facts of a test, if the catalog has it. */
  public Optional<LabTestUnit> test(String testCode) {
    return Optional.ofNullable(testsByCode.get(testCode));
  }

  /** The tests in catalog order. */
  public List<LabTestUnit> tests() {
    return tests;
  }

  private static int column(List<String> header, String column, String name) {
    int index = header.indexOf(column);
    if (index < 0) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, name + ": the test catalog has no column '" + column + "'");
    }
    return index;
  }

  private static double number(String field) {
    String value = field.strip();
    return value.isEmpty() ? 0 : Double.parseDouble(value);
  }

  private static int integer(String field) {
    String value = field.strip();
    return value.isEmpty() ? 0 : Integer.parseInt(value);
  }
}
