package org.medlake.spark;

import java.io.Serializable;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.core.source.SourceMapping.SwitchableRule;
import org.medlake.core.units.UnitConversion;
import org.medlake.core.units.UnitConversions;
import org.medlake.core.validation.LoincCheckDigit;

/**
 * One record's typing and validation, row by row in Java, with exactly the semantics of the embedded
 * pipeline's DuckDB SQL ({@code IngestSql}): the same splitting and unquoting, null values, constants
 * and value maps, number, range and timestamp patterns, UTC conversion per local hour, and the same
 * rules in the same order. Only duplicate rows need the whole file; the caller adds those.
 */
final class RecordChecker implements Serializable {
  private static final long serialVersionUID = 1L;
  /** RE2's {@code \s}, which DuckDB's regular expressions use (Java's {@code \s} also has \x0B). */
  private static final String SPACE = "[\\t\\n\\f\\r ]";
  private static final Pattern TITER = Pattern.compile("(<=|>=|<|>)?" + SPACE + "*1" + SPACE + "*:" + SPACE + "*([0-9]+)");
  private static final Pattern ORDINAL = Pattern.compile("(?i)[1-4]" + SPACE + "*\\+|\\++|tr|trace|neg|negative");
  private static final Pattern GRADE = Pattern.compile("[1-4]" + SPACE + "*\\+");
  private static final Pattern PLUSES = Pattern.compile("\\++");
  private static final Pattern FOUR_DIGITS = Pattern.compile("[0-9]{4}");

  /** What one record became: typed values, or only the reasons it was rejected for. */
  record Checked(
      long lineNumber, String raw, boolean filtered, List<String> reasons, String patientId, String encounterId, String testCode,
      String testName, String specimen, Double valueNumeric, String valueComparator, String valueText, String unit, Double refLow,
      Double refHigh, String abnormalFlag, LocalDateTime collectedAt, LocalDateTime resultedAt, String patientSex,
      Integer patientBirthYear, String valueKind, Double valueLow, Double valueHigh, Double valueTiter, Double valueOrdinal,
      String localCode, String localName, String deltaFlag, Double valueCanonical, String unitCanonical, String unitStatus) {}

  /** A test's dictionary entry: test code, name and unit of a local code. */
  record DictionaryEntry(String testCode, String testName, String unit) implements Serializable {}

  private final char delimiter;
  private final char quote;
  private final Set<String> nullValues;
  private final EnumMap<Field, Integer> columnIndexes;
  private final EnumMap<Field, String> constants;
  private final EnumMap<Field, LinkedHashMap<String, String>> valueMaps;
  private final Integer filterIndex;
  private final Set<String> keep;
  private final int expectedFields;
  private final boolean decimalComma;
  private final boolean rangeColumn;
  private final ZoneId zone;
  private final Strptime strptime;
  private final HashMap<String, DictionaryEntry> dictionary;
  private final boolean lookup;
  private final boolean rejectUnmapped;
  private final Set<String> resultKinds;
  private final HashMap<String, double[]> plausibility;
  private final Set<SwitchableRule> enabled;
  private final LocalDateTime monthStart;
  private final LocalDateTime nextMonth;
  private final LocalDateTime futureLimit;
  private final int currentYear;
  private final String fieldPattern;
  private final String numberPattern;
  private final String unsignedPattern;

  /** Built once per executor JVM; tasks of that executor share the broadcast checker across threads. */
  private transient volatile Compiled compiled;

  /** The patterns (thread-safe) and the cache of UTC shifts per local hour (concurrent). */
  private record Compiled(Pattern fields, Pattern result, Pattern number, Pattern range, Pattern lowOnly, Pattern highOnly,
      Pattern rangeResult, Map<LocalDateTime, Duration> shifts, UnitConversions units, Map<String, UnitConversion> conversions) {}

  RecordChecker(SourceMapping mapping, Map<Field, Integer> columnIndexes, Optional<Integer> filterIndex, int expectedFields,
      YearMonth month, Map<String, DictionaryEntry> dictionary, Map<String, double[]> plausibility, LocalDateTime nowUtc) {
    this.delimiter = mapping.csv().delimiter();
    this.quote = mapping.csv().quote();
    this.nullValues = new HashSet<>(mapping.csv().nullValues());
    this.columnIndexes = columnIndexes.isEmpty() ? new EnumMap<>(Field.class) : new EnumMap<>(columnIndexes);
    this.constants = mapping.constants().isEmpty() ? new EnumMap<>(Field.class) : new EnumMap<>(mapping.constants());
    this.valueMaps = new EnumMap<>(Field.class);
    mapping.valueMaps().forEach((field, map) -> valueMaps.put(field, new LinkedHashMap<>(map)));
    this.filterIndex = filterIndex.orElse(null);
    this.keep = mapping.filter().map(filter -> (Set<String>) new HashSet<>(filter.keep())).orElse(null);
    this.expectedFields = expectedFields;
    this.decimalComma = mapping.decimalSeparator().equals(",");
    this.rangeColumn = columnIndexes.containsKey(Field.REFERENCE_RANGE) || mapping.constants().containsKey(Field.REFERENCE_RANGE);
    this.zone = ZoneId.of(mapping.timeZone());
    try {
      this.strptime = new Strptime(mapping.timestampFormats());
    } catch (IllegalArgumentException e) {
      throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING, "source '" + mapping.source() + "': " + e.getMessage(), e);
    }
    this.dictionary = new HashMap<>(dictionary);
    this.lookup = mapping.codeLookup().isPresent();
    this.rejectUnmapped = mapping.rules().unmappedCodes() == SourceMapping.UnmappedCodes.REJECT;
    this.resultKinds = new HashSet<>();
    mapping.rules().resultKinds().forEach(kind -> resultKinds.add(kind.key()));
    this.plausibility = new HashMap<>(plausibility);
    this.enabled = new HashSet<>();
    for (SwitchableRule rule : SwitchableRule.values()) {
      if (mapping.rules().enabled(rule)) {
        enabled.add(rule);
      }
    }
    this.monthStart = month.atDay(1).atStartOfDay();
    this.nextMonth = month.plusMonths(1).atDay(1).atStartOfDay();
    this.futureLimit = nowUtc.plusDays(1);
    this.currentYear = nowUtc.getYear();
    String d = escape(delimiter);
    String q = escape(quote);
    // possessive runs keep Java's backtracking matcher off deep recursion; the matches are RE2's
    this.fieldPattern = d + "(" + q + "(?:[^" + q + "]++|" + q + q + ")*" + q + "|[^" + d + q + "]*+)";
    this.unsignedPattern = decimalComma ? "(?:[0-9]+(?:,[0-9]+)?|,[0-9]+)" : "(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)";
    this.numberPattern = "[-+]?" + unsignedPattern;
  }

  private Compiled compiled() {
    Compiled current = compiled;
    if (current == null) {
      synchronized (this) {
        if (compiled == null) {
          compiled = new Compiled(
              Pattern.compile(fieldPattern),
              Pattern.compile("(?:<=|>=|<|>)?" + SPACE + "*" + numberPattern),
              Pattern.compile(numberPattern),
              Pattern.compile("^" + SPACE + "*(" + numberPattern + ")" + SPACE + "*-" + SPACE + "*(" + numberPattern + ")" + SPACE + "*\\z"),
              Pattern.compile("^" + SPACE + "*>=?" + SPACE + "*(" + numberPattern + ")" + SPACE + "*\\z"),
              Pattern.compile("^" + SPACE + "*<=?" + SPACE + "*(" + numberPattern + ")" + SPACE + "*\\z"),
              Pattern.compile("(" + unsignedPattern + ")" + SPACE + "*-" + SPACE + "*(" + unsignedPattern + ")"),
              new ConcurrentHashMap<>(), UnitConversions.load(), new ConcurrentHashMap<>());
        }
        current = compiled;
      }
    }
    return current;
  }

  /** Types and checks one record; {@code lineFlag} is LINE_TOO_LONG or ENCODING from the file scan, or null. */
  Checked check(long lineNumber, String raw, String lineFlag) {
    Compiled patterns = compiled();
    boolean quoted = raw.indexOf(quote) >= 0;
    List<String> parts = new ArrayList<>();
    boolean badQuoting = false;
    if (!quoted) {
      int start = 0;
      while (true) {
        int next = raw.indexOf(delimiter, start);
        if (next < 0) {
          parts.add(raw.substring(start));
          break;
        }
        parts.add(raw.substring(start, next));
        start = next + 1;
      }
    } else {
      Matcher matcher = patterns.fields().matcher(delimiter + raw);
      while (matcher.find()) {
        parts.add(matcher.group(1));
      }
      badQuoting = !String.join(String.valueOf(delimiter), parts).equals(raw);
      String single = String.valueOf(quote);
      String doubled = single + single;
      for (int i = 0; i < parts.size(); i++) {
        String part = parts.get(i);
        if (part.startsWith(single) && part.codePointCount(0, part.length()) >= 2) {
          parts.set(i, part.substring(1, part.length() - 1).replace(doubled, single));
        }
      }
    }
    int fieldCount = parts.size();

    String patientId = value(Field.PATIENT_ID, parts);
    String encounterId = value(Field.ENCOUNTER_ID, parts);
    String localCode = value(Field.LOCAL_CODE, parts);
    String localName = value(Field.LOCAL_NAME, parts);
    String testCode = value(Field.TEST_CODE, parts);
    String testName = value(Field.TEST_NAME, parts);
    String unit = value(Field.UNIT, parts);
    boolean dictionaryHit = false;
    if (lookup) {
      DictionaryEntry entry = localCode == null ? null : dictionary.get(localCode);
      dictionaryHit = entry != null;
      if (entry != null) {
        testCode = testCode != null ? testCode : entry.testCode();
        testName = testName != null ? testName : entry.testName();
        unit = unit != null ? unit : entry.unit();
      }
    }
    testName = testName != null ? testName : localName != null ? localName : localCode;
    String specimen = value(Field.SPECIMEN, parts);
    String resultText = value(Field.RESULT, parts);
    String flagRaw = value(Field.ABNORMAL_FLAG, parts);
    String abnormalFlag = flag(flagRaw);
    String deltaFlag = flagRaw != null && flagRaw.toLowerCase(java.util.Locale.ROOT).equals("delta") ? "Y" : null;
    String patientSex = value(Field.PATIENT_SEX, parts);
    String collectedRaw = value(Field.COLLECTED_AT, parts);
    String resultedRaw = value(Field.RESULTED_AT, parts);
    String birthYearRaw = value(Field.PATIENT_BIRTH_YEAR, parts);
    LocalDateTime collectedLocal = strptime.parse(collectedRaw).orElse(null);
    LocalDateTime resultedLocal = strptime.parse(resultedRaw).orElse(null);
    Integer birthYear = birthYearRaw != null && FOUR_DIGITS.matcher(birthYearRaw).matches() ? Integer.valueOf(birthYearRaw) : null;
    boolean filtered = false;
    if (keep != null) {
      String filterValue = filterIndex == null ? null : cell(parts, filterIndex);
      filtered = lineFlag == null && !badQuoting && fieldCount == expectedFields && (filterValue == null || !keep.contains(filterValue));
    }

    boolean numericResult = resultText != null && patterns.result().matcher(resultText).matches();
    Double valueNumeric = numericResult ? Double.valueOf(decimal(ltrim(resultText))) : null;
    String valueComparator = null;
    if (numericResult && (resultText.charAt(0) == '<' || resultText.charAt(0) == '>')) {
      valueComparator = resultText.length() > 1 && resultText.charAt(1) == '=' ? resultText.substring(0, 2) : resultText.substring(0, 1);
    }
    Matcher titer = resultText == null || numericResult ? null : TITER.matcher(resultText);
    boolean titerResult = titer != null && titer.matches();
    if (titerResult && (resultText.charAt(0) == '<' || resultText.charAt(0) == '>')) {
      valueComparator = resultText.length() > 1 && resultText.charAt(1) == '=' ? resultText.substring(0, 2) : resultText.substring(0, 1);
    }
    String valueText = !numericResult ? resultText : null;
    Matcher rangeResult = resultText == null || numericResult ? null : patterns.rangeResult().matcher(resultText);
    boolean isRange = rangeResult != null && rangeResult.matches();
    boolean isOrdinal = !numericResult && resultText != null && !isRange && !titerResult && ORDINAL.matcher(resultText).matches();
    String valueKind = resultText == null ? null
        : numericResult ? (resultText.charAt(0) == '<' || resultText.charAt(0) == '>' ? "censored" : "number")
        : isRange ? "range" : titerResult ? "titer" : isOrdinal ? "ordinal" : "text";
    Double valueLow = isRange ? Double.valueOf(decimal(rangeResult.group(1))) : null;
    Double valueHigh = isRange ? Double.valueOf(decimal(rangeResult.group(2))) : null;
    Double valueTiter = titerResult ? Double.valueOf(titer.group(2)) : null;
    Double valueOrdinal = null;
    if (!numericResult && resultText != null && ORDINAL.matcher(resultText).matches()) {
      String lower = resultText.toLowerCase(java.util.Locale.ROOT);
      valueOrdinal = GRADE.matcher(resultText).matches() ? (double) (resultText.charAt(0) - '0')
          : PLUSES.matcher(resultText).matches() ? (double) resultText.length()
          : lower.equals("tr") || lower.equals("trace") ? 0.5 : 0.0;
    }

    Double refLow;
    Double refHigh;
    boolean invalidRange;
    if (rangeColumn) {
      String rangeRaw = value(Field.REFERENCE_RANGE, parts);
      Matcher both = rangeRaw == null ? null : patterns.range().matcher(rangeRaw);
      Matcher low = rangeRaw == null ? null : patterns.lowOnly().matcher(rangeRaw);
      Matcher high = rangeRaw == null ? null : patterns.highOnly().matcher(rangeRaw);
      boolean bothMatch = both != null && both.find();
      boolean lowMatch = low != null && low.find();
      boolean highMatch = high != null && high.find();
      refLow = bothMatch ? Double.valueOf(decimal(both.group(1))) : lowMatch ? Double.valueOf(decimal(low.group(1))) : null;
      refHigh = bothMatch ? Double.valueOf(decimal(both.group(2))) : highMatch ? Double.valueOf(decimal(high.group(1))) : null;
      invalidRange = rangeRaw != null && !(bothMatch || lowMatch || highMatch);
    } else {
      String lowRaw = value(Field.REF_LOW, parts);
      String highRaw = value(Field.REF_HIGH, parts);
      boolean lowValid = lowRaw != null && patterns.number().matcher(lowRaw).matches();
      boolean highValid = highRaw != null && patterns.number().matcher(highRaw).matches();
      refLow = lowValid ? Double.valueOf(decimal(lowRaw)) : null;
      refHigh = highValid ? Double.valueOf(decimal(highRaw)) : null;
      invalidRange = (lowRaw != null && !lowValid) || (highRaw != null && !highValid);
    }

    // IngestSql's unit_conversions: once per (test code, unit) pair, null as the empty string
    String testKey = testCode == null ? "" : testCode;
    String unitKey = unit == null ? "" : unit;
    UnitConversion conversion = patterns.conversions().computeIfAbsent(testKey + '\u0000' + unitKey,
        key -> testKey.isEmpty() ? patterns.units().withoutTest(unitKey) : patterns.units().convert(testKey, unitKey));
    unit = conversion.unit().isEmpty() ? null : conversion.unit();
    Double valueCanonical = valueNumeric != null && conversion.status().isConvertible() ? valueNumeric * conversion.factor() : null;
    String unitCanonical = conversion.status().isConvertible() ? conversion.canonicalUnit() : null;
    String unitStatus = conversion.status().name();

    LocalDateTime collectedAt = toUtc(collectedLocal, patterns.shifts());
    LocalDateTime resultedAt = toUtc(resultedLocal, patterns.shifts());
    List<String> reasons = new ArrayList<>(2);
    if (lineFlag != null) {
      reasons.add(lineFlag);
    } else if (badQuoting) {
      reasons.add("BAD_QUOTING");
    } else if (fieldCount != expectedFields) {
      reasons.add("RAGGED_ROW");
    } else {
      add(reasons, patientId == null, "MISSING_PATIENT_ID");
      add(reasons, localCode == null && testCode == null, "MISSING_TEST_CODE");
      if (rejectUnmapped) {
        if (lookup) {
          add(reasons, localCode != null && !dictionaryHit, "UNKNOWN_LOCAL_CODE");
          add(reasons, localCode != null && dictionaryHit && testCode == null, "UNMAPPED_LOCAL_CODE");
        } else {
          add(reasons, localCode != null && testCode == null, "UNMAPPED_LOCAL_CODE");
        }
      }
      add(reasons, testCode != null && !LoincCheckDigit.isValid(testCode), "INVALID_TEST_CODE");
      add(reasons, testName == null && (testCode != null || localCode != null), "MISSING_TEST_NAME");
      add(reasons, resultText == null, "MISSING_RESULT");
      add(reasons, valueKind != null && !resultKinds.contains(valueKind), "INVALID_RESULT");
      add(reasons, invalidRange, "INVALID_REFERENCE_RANGE");
      add(reasons, collectedRaw == null, "MISSING_COLLECTED_AT");
      add(reasons, collectedRaw != null && collectedAt == null, "INVALID_COLLECTED_AT");
      add(reasons, resultedRaw != null && resultedAt == null, "INVALID_RESULTED_AT");
      add(reasons, abnormalFlag != null && !LabResults.ABNORMAL_FLAGS.contains(abnormalFlag), "INVALID_FLAG");
      add(reasons, patientSex != null && !LabResults.SEXES.contains(patientSex), "INVALID_SEX");
      add(reasons, birthYearRaw != null && (birthYear == null || birthYear < 1870
          || birthYear > (collectedLocal != null ? collectedLocal.getYear() : currentYear)), "INVALID_BIRTH_YEAR");
      if (enabled.contains(SwitchableRule.VALUE_PLAUSIBILITY)) {
        double[] bounds = testCode == null ? null : plausibility.get(testCode);
        add(reasons, bounds != null && valueCanonical != null && (valueCanonical < bounds[0] || valueCanonical > bounds[1]), "IMPLAUSIBLE_VALUE");
      }
      if (enabled.contains(SwitchableRule.COLLECTED_AT_IN_MONTH)) {
        add(reasons, collectedLocal != null && (collectedLocal.isBefore(monthStart) || !collectedLocal.isBefore(nextMonth)),
            "COLLECTED_OUTSIDE_MONTH");
      }
      if (enabled.contains(SwitchableRule.NO_FUTURE_TIMESTAMPS)) {
        add(reasons, (collectedAt != null && collectedAt.isAfter(futureLimit)) || (resultedAt != null && resultedAt.isAfter(futureLimit)),
            "FUTURE_TIMESTAMP");
      }
      if (enabled.contains(SwitchableRule.RESULTED_AFTER_COLLECTED)) {
        add(reasons, resultedAt != null && collectedAt != null && resultedAt.isBefore(collectedAt), "RESULTED_BEFORE_COLLECTED");
      }
    }
    return new Checked(lineNumber, raw, filtered, reasons, patientId, encounterId, testCode, testName, specimen, valueNumeric,
        valueComparator, valueText, unit, refLow, refHigh, abnormalFlag, collectedAt, resultedAt, patientSex, birthYear, valueKind,
        valueLow, valueHigh, valueTiter, valueOrdinal, localCode, localName, deltaFlag, valueCanonical, unitCanonical, unitStatus);
  }

  /** IngestSql's flag normalization: a contract flag in any case, the words hospitals use, {@code delta} as null. */
  private static String flag(String cell) {
    if (cell == null) {
      return null;
    }
    String upper = cell.toUpperCase(java.util.Locale.ROOT);
    if (LabResults.ABNORMAL_FLAGS.contains(upper)) {
      return upper;
    }
    return switch (cell.toLowerCase(java.util.Locale.ROOT)) {
      case "normal" -> "N";
      case "abnormal" -> "A";
      case "high" -> "H";
      case "low" -> "L";
      case "critical high" -> "HH";
      case "critical low" -> "LL";
      case "delta" -> null;
      default -> cell;
    };
  }

  boolean duplicateRule() {
    return enabled.contains(SwitchableRule.DUPLICATE_ROWS);
  }

  /** The local wall time in UTC, shifted by the offset of its hour (as DuckDB's ICU: the later offset in an overlap). */
  private LocalDateTime toUtc(LocalDateTime local, Map<LocalDateTime, Duration> shifts) {
    if (local == null) {
      return null;
    }
    LocalDateTime hour = local.truncatedTo(ChronoUnit.HOURS);
    Duration shift = shifts.computeIfAbsent(hour, h -> Duration.between(h,
        ZonedDateTime.ofLocal(h, zone, null).withLaterOffsetAtOverlap().withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime()));
    return local.plus(shift);
  }

  private String value(Field field, List<String> parts) {
    Integer index = columnIndexes.get(field);
    String constant = constants.get(field);
    String cell = index == null ? null : cell(parts, index);
    String raw;
    if (index != null) {
      raw = cell == null || nullValues.contains(cell) ? null : cell;
      if (raw == null && constant != null) {
        raw = constant;
      }
    } else if (constant != null) {
      raw = constant;
    } else {
      return null;
    }
    LinkedHashMap<String, String> map = valueMaps.get(field);
    if (map == null || map.isEmpty()) {
      return raw;
    }
    String source = index == null ? constant : cell;
    for (Map.Entry<String, String> entry : map.entrySet()) {
      boolean hit = entry.getKey().isEmpty() ? source == null || source.isEmpty() : entry.getKey().equals(source);
      if (hit) {
        return entry.getValue().isEmpty() ? null : entry.getValue();
      }
    }
    return raw;
  }

  /** DuckDB's {@code trim(f[index])}: 1-based, null past the end, spaces (only) trimmed. */
  private static String cell(List<String> parts, int index) {
    if (index < 1 || index > parts.size()) {
      return null;
    }
    String value = parts.get(index - 1);
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == ' ') {
      end--;
    }
    return value.substring(start, end);
  }

  private static String ltrim(String text) {
    int start = 0;
    while (start < text.length() && "<>= ".indexOf(text.charAt(start)) >= 0) {
      start++;
    }
    return text.substring(start);
  }

  private String decimal(String text) {
    return decimalComma ? text.replace(',', '.').strip() : text.strip();
  }

  private static void add(List<String> reasons, boolean condition, String reason) {
    if (condition) {
      reasons.add(reason);
    }
  }

  private static String escape(char c) {
    if (c == '\t') {
      return "\\t";
    }
    return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
  }
}
