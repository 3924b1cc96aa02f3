package org.medlake.testkit.generate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.medlake.core.validation.LoincCheckDigit;

/**
 * Reads a generated file the way the validator will, from the source mapping alone, and says why
 * each row would be rejected. Independent of the generator's classes on purpose.
 */
final class GeneratedFileClassifier {
  static final String CLEAN = "CLEAN";
  static final String FILTERED = "FILTERED";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern TEXT_RESULT = Pattern.compile("[A-Za-z]+");
  private static final Set<String> FLAGS = Set.of("N", "L", "H", "LL", "HH", "A");
  private static final Set<String> FLAG_WORDS =
      Set.of("normal", "abnormal", "high", "low", "critical high", "critical low", "delta");
  private static final Set<String> SEXES = Set.of("F", "M", "U");

  private final Map<String, Object> mapping;
  private final Map<String, String> columns;
  private final char delimiter;
  private final char decimalSeparator;
  private final DateTimeFormatter timestampFormat;
  private final Map<String, String> dictionary = new TreeMap<>();
  private final LabTestCatalog catalog = LabTestCatalog.load();

  @SuppressWarnings("unchecked")
  GeneratedFileClassifier(Path mappingFile) throws IOException {
    mapping = YAML.readValue(mappingFile.toFile(), Map.class);
    columns = (Map<String, String>) mapping.get("columns");
    Map<String, Object> csv = (Map<String, Object>) mapping.get("csv");
    delimiter = ((String) csv.get("delimiter")).charAt(0);
    decimalSeparator = ((String) mapping.get("decimal-separator")).charAt(0);
    timestampFormat = toJavaFormat(((List<String>) mapping.get("timestamp-formats")).get(0));
    Map<String, String> codeLookup = (Map<String, String>) mapping.get("code-lookup");
    if (codeLookup != null) {
      List<String> lines =
          Files.readAllLines(mappingFile.resolveSibling(codeLookup.get("dictionary")), UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        List<String> fields = split(line).orElseThrow();
        dictionary.put(fields.get(0), fields.get(1));
      }
    }
  }

  Map<String, Object> mapping() {
    return mapping;
  }

  char delimiter() {
    return delimiter;
  }

  /** One entry per data row: CLEAN, FILTERED or a reject reason name. */
  List<Classified> classify(Path file, YearMonth month) throws IOException {
    List<byte[]> lines = lines(file);
    List<String> header = split(new String(lines.get(0), UTF_8)).orElseThrow();
    Set<String> seen = new HashSet<>();
    List<Classified> rows = new ArrayList<>();
    for (byte[] line : lines.subList(1, lines.size())) {
      rows.add(classify(line, header, month, seen));
    }
    return rows;
  }

  private Classified classify(byte[] line, List<String> header, YearMonth month, Set<String> seen) {
    String text;
    try {
      text =
          UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line))
              .toString();
    } catch (CharacterCodingException e) {
      return Classified.reason("ENCODING");
    }
    Optional<List<String>> parsed = split(text);
    if (parsed.isEmpty()) {
      return Classified.reason("BAD_QUOTING");
    }
    List<String> fields = parsed.get();
    if (fields.size() != header.size()) {
      return Classified.reason("RAGGED_ROW");
    }
    if (!seen.add(text)) {
      return Classified.reason("DUPLICATE_ROW");
    }
    Map<String, String> row = new TreeMap<>();
    for (int i = 0; i < header.size(); i++) {
      row.put(header.get(i), fields.get(i).trim());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> filter = (Map<String, Object>) mapping.get("filter");
    if (filter != null
        && !((List<?>) filter.get("keep")).contains(row.get((String) filter.get("column")))) {
      return new Classified(FILTERED, row, null);
    }
    if (field(row, "patient-id").isEmpty()) {
      return Classified.reason("MISSING_PATIENT_ID");
    }
    String testCode;
    if (dictionary.isEmpty()) {
      testCode = field(row, "test-code");
      if (testCode.isEmpty()) {
        return Classified.reason("MISSING_TEST_CODE");
      }
      if (!LoincCheckDigit.isValid(testCode)) {
        return Classified.reason("INVALID_TEST_CODE");
      }
    } else {
      String localCode = field(row, "local-code");
      if (localCode.isEmpty()) {
        return Classified.reason("MISSING_TEST_CODE");
      }
      // a local code the dictionary does not know is stored with a null test code
      testCode = dictionary.getOrDefault(localCode, "");
    }
    String collected = field(row, "collected-at");
    if (collected.isEmpty()) {
      return Classified.reason("MISSING_COLLECTED_AT");
    }
    Optional<LocalDateTime> collectedAt = parseTime(collected);
    if (collectedAt.isEmpty()) {
      return Classified.reason("INVALID_COLLECTED_AT");
    }
    if (checksCollectionMonth() && !YearMonth.from(collectedAt.get()).equals(month)) {
      return Classified.reason("COLLECTED_OUTSIDE_MONTH");
    }
    String result = field(row, "result");
    if (!TEXT_RESULT.matcher(result).matches()) {
      String number =
          result.startsWith("<") || result.startsWith(">") ? result.substring(1) : result;
      // a result that is not a number is stored as written
      LabTest test = catalog.test(testCode).orElse(null);
      Optional<Double> value =
          parseNumber(number).map(written -> inCatalogUnit(test, field(row, "unit"), written));
      if (test != null
          && value.isPresent()
          && (value.get() < test.plausibleMin() || value.get() > test.plausibleMax())) {
        return Classified.reason("IMPLAUSIBLE_VALUE");
      }
    }
    return new Classified(CLEAN, row, collectedAt.get());
  }

  /**
   * A value in the substance unit a hospital may report a mass test in, converted through the
   * catalogue's molar mass: {@code mmol/L} or {@code umol/L} for a test in {@code mg/dL}.
   */
  private double inCatalogUnit(LabTest test, String unit, double value) {
    if (test == null || !test.unit().equals("mg/dL")) {
      return value;
    }
    double molarMass = catalog.molarMass(test.code()).orElse(Double.NaN);
    return switch (unit.toLowerCase(Locale.ROOT)) {
      case "mmol/l" -> value * molarMass / 10;
      case "umol/l" -> value * molarMass / 10_000;
      default -> value;
    };
  }

  @SuppressWarnings("unchecked")
  private boolean checksCollectionMonth() {
    Map<String, Object> rules = (Map<String, Object>) mapping.getOrDefault("rules", Map.of());
    return !((List<String>) rules.getOrDefault("disabled", List.of()))
        .contains("collected-at-in-month");
  }

  /** Problems a clean row must not have, beyond the reasons above; empty when it is valid. */
  List<String> problemsOfCleanRow(Classified row) {
    List<String> problems = new ArrayList<>();
    Optional<LocalDateTime> resultedAt = parseTime(field(row.fields(), "resulted-at"));
    if (resultedAt.isEmpty() || resultedAt.get().isBefore(row.collectedAt())) {
      problems.add("resulted-at " + field(row.fields(), "resulted-at"));
    }
    if (!validFlag(mapped("abnormal-flag", field(row.fields(), "abnormal-flag")))) {
      problems.add("flag " + field(row.fields(), "abnormal-flag"));
    }
    if (!SEXES.contains(mapped("patient-sex", field(row.fields(), "patient-sex")))) {
      problems.add("sex " + field(row.fields(), "patient-sex"));
    }
    int birthYear = Integer.parseInt(field(row.fields(), "patient-birth-year"));
    if (birthYear < 1870 || birthYear > row.collectedAt().getYear()) {
      problems.add("birth year " + birthYear);
    }
    for (String bound : List.of("ref-low", "ref-high")) {
      String value = field(row.fields(), bound);
      if (!value.isEmpty() && parseNumber(value).isEmpty()) {
        problems.add(bound + " " + value);
      }
    }
    return problems;
  }

  /** A flag code or word in any case, {@code delta}, or empty (no flag). */
  static boolean validFlag(String flag) {
    return flag.isEmpty()
        || FLAGS.contains(flag.toUpperCase(Locale.ROOT))
        || FLAG_WORDS.contains(flag.toLowerCase(Locale.ROOT));
  }

  String field(Map<String, String> row, String key) {
    String column = columns.get(key);
    return column == null ? "" : row.getOrDefault(column, "");
  }

  String mapped(String key, String value) {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, String>> valueMaps =
        (Map<String, Map<String, String>>) mapping.getOrDefault("value-maps", Map.of());
    return valueMaps.getOrDefault(key, Map.of()).getOrDefault(value, value);
  }

  Optional<Double> parseNumber(String text) {
    String normalized = decimalSeparator == ',' ? text.replace(',', '.') : text;
    if (!normalized.matches("-?[0-9]+(\\.[0-9]+)?")) {
      return Optional.empty();
    }
    return Optional.of(Double.parseDouble(normalized));
  }

  Optional<LocalDateTime> parseTime(String text) {
    try {
      return Optional.of(LocalDateTime.parse(text, timestampFormat));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Splits one line; empty when a quoted field is followed by anything but a delimiter. */
  Optional<List<String>> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) {
            return Optional.empty();
          }
          char character = line.charAt(i++);
          if (character == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(character);
          }
        }
        if (i < line.length() && line.charAt(i) != delimiter) {
          return Optional.empty();
        }
      } else {
        while (i < line.length() && line.charAt(i) != delimiter) {
          field.append(line.charAt(i++));
        }
      }
      fields.add(field.toString());
      field.setLength(0);
      if (i >= line.length()) {
        return Optional.of(fields);
      }
      i++;
    }
  }

  static List<byte[]> lines(Path file) throws IOException {
    byte[] bytes;
    try (InputStream input =
        file.toString().endsWith(".gz")
            ? new GZIPInputStream(Files.newInputStream(file))
            : Files.newInputStream(file)) {
      bytes = input.readAllBytes();
    }
    List<byte[]> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (byte value : bytes) {
      if (value == '\n') {
        byte[] content = line.toByteArray();
        int length =
            content.length > 0 && content[content.length - 1] == '\r'
                ? content.length - 1
                : content.length;
        lines.add(java.util.Arrays.copyOf(content, length));
        line.reset();
      } else {
        line.write(value);
      }
    }
    if (line.size() > 0) {
      throw new IllegalStateException(file + " does not end with a line separator");
    }
    return lines;
  }

  /** DuckDB strptime to java.time, strictly: {@code %Y-%m-%dT%H:%M:%S}. */
  static DateTimeFormatter toJavaFormat(String format) {
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char character = format.charAt(i);
      if (character == '%') {
        char specifier = format.charAt(++i);
        pattern.append(
            switch (specifier) {
              case 'Y' -> "uuuu";
              case 'm' -> "MM";
              case 'd' -> "dd";
              case 'H' -> "HH";
              case 'M' -> "mm";
              case 'S' -> "ss";
              default -> throw new IllegalArgumentException("Unsupported %" + specifier);
            });
      } else if (Character.isLetter(character)) {
        pattern.append('\'').append(character).append('\'');
      } else {
        pattern.append(character);
      }
    }
    return DateTimeFormatter.ofPattern(pattern.toString()).withResolverStyle(ResolverStyle.STRICT);
  }

  record Classified(String outcome, Map<String, String> fields, LocalDateTime collectedAt) {
    Classified {
      requireNonNull(outcome, "outcome is null");
    }

    static Classified reason(String reason) {
      return new Classified(reason, Map.of(), null);
    }
  }
}
