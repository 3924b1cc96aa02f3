package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.medlake.core.source.SourceMapping.Field;

/** How one hospital's export spells results: columns, delimiter, timestamps, flags and codes. */
sealed interface Layout permits IsoLayout, GermanLayout, ItemsLayout {

  /** A short name used in the mapping's description: {@code iso}, {@code de}, {@code items}. */
  String id();

  char delimiter();

  char decimalSeparator();

  /** The columns in header order. */
  List<Column> columns();

  String fileName(YearMonth month);

  /** The DuckDB strptime format of both timestamps. */
  String timestampFormat();

  String timestamp(LocalDateTime time);

  String flag(Flag flag);

  /**
   * The flag spelled another way this layout's mapping still understands: another case, a word,
   * {@code delta} or empty.
   */
  String flagVariant(Flag flag, SplittableRandom random);

  /** The unit this hospital reports the test in when it is not the catalogue's. */
  default Optional<LocalUnit> localUnit(LabTest test) {
    return Optional.empty();
  }

  /** The contract field a column feeds in the mapping, if any. */
  default Optional<Field> field(Column column) {
    return column.role().field();
  }

  String sex(Sex sex);

  String specimen(Specimen specimen);

  String patientId(Patient patient);

  String encounterId(YearMonth month, long encounterNumber);

  /** The LOINC code, or the local item code for layouts that use a dictionary. */
  String testCode(LabTest test);

  /** Whether the result may be written as {@code <limit}. */
  boolean writesComparators();

  /** Lines after {@code columns:} in the source mapping: value maps, lookups, filters. */
  List<String> mappingExtras(Hospital hospital);

  /** A code that looks plausible but the validator must reject for this layout. */
  String invalidTestCode(LabTest test, SplittableRandom random);

  /** A timestamp in the layout's format whose month, day, hour and minute do not exist. */
  String impossibleTimestamp(LocalDateTime time);

  /** A valid time written in another layout's format, which this layout's format rejects. */
  default String wrongFormatTimestamp(LocalDateTime time) {
    return TextFormat.germanTimestamp(time);
  }

  default String lineSeparator() {
    return "\n";
  }

  default int index(Role role) {
    List<Column> columns = columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).role() == role) {
        return i;
      }
    }
    return -1;
  }

  default List<String> header() {
    return columns().stream().map(Column::name).toList();
  }

  /** Fills {@code fields} (one per column) with the result spelled the layout's way. */
  default void format(LabResult result, YearMonth month, String[] fields) {
    List<Column> columns = columns();
    for (int i = 0; i < columns.size(); i++) {
      fields[i] = field(columns.get(i).role(), result, month);
    }
  }

  private String field(Role role, LabResult result, YearMonth month) {
    LabTest test = result.test();
    return switch (role) {
      case PATIENT_ID -> patientId(result.patient());
      case ENCOUNTER_ID -> encounterId(month, result.encounterNumber());
      case TEST_CODE, LOCAL_CODE -> testCode(test);
      case TEST_NAME -> result.delimiterInName() ? nameWithDelimiter(result) : test.name();
      case LOCAL_NAME -> result.delimiterInName() ? nameWithDelimiter(result) : test.shortName();
      case RESULT -> resultText(result);
      case UNIT -> localUnit(test).map(LocalUnit::unit).orElse(test.unit());
      case REF_LOW -> bound(test, test.range(result.patient().sex()).low());
      case REF_HIGH -> bound(test, test.range(result.patient().sex()).high());
      case REFERENCE_RANGE -> referenceRange(test, test.range(result.patient().sex()));
      case FLAG -> flag(result.flag());
      case COLLECTED_AT -> timestamp(result.collectedAt());
      case RESULTED_AT -> timestamp(result.resultedAt());
      case SEX -> sex(result.patient().sex());
      case BIRTH_YEAR -> Integer.toString(result.patient().birthYear());
      case SPECIMEN -> specimen(test.specimen());
      case CATEGORY -> result.category().name();
    };
  }

  private String nameWithDelimiter(LabResult result) {
    return result.test().shortName() + delimiter() + " " + specimen(result.test().specimen());
  }

  default String resultText(LabResult result) {
    LabTest test = result.test();
    if (test.isText()) {
      return result.text();
    }
    Optional<LocalUnit> local = localUnit(test);
    if (result.belowReportingLimit() && writesComparators()) {
      return "<" + value(test, test.reportingLimit());
    }
    if (local.isPresent()) {
      double value =
          local.get().resultFromCanonical(result.value(), test.plausibleMin(), test.plausibleMax());
      return number(value, local.get().decimals());
    }
    return number(result.value(), test.decimals());
  }

  /** A value of the test in the unit this layout writes it in. */
  private String value(LabTest test, double canonical) {
    return localUnit(test)
        .map(local -> number(local.fromCanonical(canonical), local.decimals()))
        .orElseGet(() -> number(canonical, test.decimals()));
  }

  default String number(double value, int decimals) {
    return TextFormat.decimal(value, decimals, decimalSeparator());
  }

  private String bound(LabTest test, double bound) {
    return test.isText() || !Double.isFinite(bound) ? "" : value(test, bound);
  }

  private String referenceRange(LabTest test, LabTest.Range range) {
    if (test.isText()) {
      return "";
    }
    if (range.hasLow() && range.hasHigh()) {
      return value(test, range.low()) + "-" + value(test, range.high());
    }
    if (range.hasHigh()) {
      return "<" + value(test, range.high());
    }
    return range.hasLow() ? ">" + value(test, range.low()) : "";
  }

  /** What a column holds; the mapping names the columns whose role feeds a contract field. */
  enum Role {
    PATIENT_ID(Field.PATIENT_ID),
    ENCOUNTER_ID(Field.ENCOUNTER_ID),
    TEST_CODE(Field.TEST_CODE),
    LOCAL_CODE(Field.LOCAL_CODE),
    TEST_NAME(Field.TEST_NAME),
    LOCAL_NAME(null),
    RESULT(Field.RESULT),
    UNIT(Field.UNIT),
    REF_LOW(Field.REF_LOW),
    REF_HIGH(Field.REF_HIGH),
    REFERENCE_RANGE(Field.REFERENCE_RANGE),
    FLAG(Field.ABNORMAL_FLAG),
    COLLECTED_AT(Field.COLLECTED_AT),
    RESULTED_AT(Field.RESULTED_AT),
    SEX(Field.PATIENT_SEX),
    BIRTH_YEAR(Field.PATIENT_BIRTH_YEAR),
    SPECIMEN(Field.SPECIMEN),
    CATEGORY(null);

    private final Field field;

    Role(Field field) {
      this.field = field;
    }

    Optional<Field> field() {
      return Optional.ofNullable(field);
    }
  }

  record Column(String name, Role role) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(role, "role is null");
    }
  }
}
