package org.medlake.core.source;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How one hospital's CSV maps to the data contract. Read from {@code sources/<source>.yaml}; the
 * format is documented in docs/sources.md.
 *
 * @param source the source id; by convention the file name and the landing directory name
 * @param hospitalId the hospital id stored with every row of this source
 * @param description free text for operators
 * @param cadence how often the source delivers: only monthly sources are missed when a month has no
 *     delivery
 * @param csv how the file is encoded and split
 * @param timeZone the hospital's time zone; local timestamps are converted to UTC
 * @param timestampFormats DuckDB strptime formats tried in order, e.g. {@code %Y-%m-%d %H:%M:%S}
 * @param decimalSeparator {@code .} or {@code ,}
 * @param columns contract field -> column name in the file's header
 * @param constants contract field -> constant value for fields the file lacks
 * @param valueMaps contract field -> (value in the file -> value stored)
 * @param codeLookup optional dictionary that turns a local test code into LOINC code and name
 * @param filter optional row filter: keep only rows whose column holds one of the values
 * @param rules validation rules switched off for this source
 */
public record SourceMapping(
    String source,
    String hospitalId,
    String description,
    Cadence cadence,
    CsvFormat csv,
    String timeZone,
    List<String> timestampFormats,
    String decimalSeparator,
    Map<Field, String> columns,
    Map<Field, String> constants,
    Map<Field, Map<String, String>> valueMaps,
    Optional<CodeLookup> codeLookup,
    Optional<RowFilter> filter,
    Rules rules) {

  public SourceMapping {
    requireNonNull(source, "source is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(description, "description is null");
    requireNonNull(cadence, "cadence is null");
    requireNonNull(csv, "csv is null");
    requireNonNull(timeZone, "timeZone is null");
    timestampFormats = List.copyOf(timestampFormats);
    requireNonNull(decimalSeparator, "decimalSeparator is null");
    columns = Map.copyOf(columns);
    constants = Map.copyOf(constants);
    valueMaps = Map.copyOf(valueMaps);
    requireNonNull(codeLookup, "codeLookup is null");
    requireNonNull(filter, "filter is null");
    requireNonNull(rules, "rules is null");
  }

  /** Fields of the contract a source column or constant can feed. */
  public enum Field {
    PATIENT_ID("patient-id"),
    ENCOUNTER_ID("encounter-id"),
    TEST_CODE("test-code"),
    TEST_NAME("test-name"),
    LOCAL_CODE("local-code"),
    LOCAL_NAME("local-name"),
    SPECIMEN("specimen"),
    RESULT("result"),
    UNIT("unit"),
    REF_LOW("ref-low"),
    REF_HIGH("ref-high"),
    REFERENCE_RANGE("reference-range"),
    ABNORMAL_FLAG("abnormal-flag"),
    COLLECTED_AT("collected-at"),
    RESULTED_AT("resulted-at"),
    PATIENT_SEX("patient-sex"),
    PATIENT_BIRTH_YEAR("patient-birth-year");

    private final String key;

    Field(String key) {
      this.key = key;
    }

    /** The key used in the YAML file. */
    public String key() {
      return key;
    }

    public static Optional<Field> fromKey(String key) {
      for (Field field : values()) {
        if (field.key.equals(key)) {
          return Optional.of(field);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * How often a source delivers; the completeness check warns only about sources that promise a
   * month.
   */
  public enum Cadence {
    /** One delivery per month is expected; a month without one is a missing delivery. */
    MONTHLY("monthly"),
    /** One-off or irregular deliveries (a backfill, a study extract): never missing. */
    NONE("none");

    private final String key;

    Cadence(String key) {
      this.key = key;
    }

    /** The value used in the YAML file. */
    public String key() {
      return key;
    }

    public static Optional<Cadence> fromKey(String key) {
      for (Cadence cadence : values()) {
        if (cadence.key.equals(key)) {
          return Optional.of(cadence);
        }
      }
      return Optional.empty();
    }
  }

  /** How the file is split into rows and fields. */
  public record CsvFormat(char delimiter, char quote, String encoding, List<String> nullValues) {
    public CsvFormat {
      requireNonNull(encoding, "encoding is null");
      nullValues = List.copyOf(nullValues);
    }

    public static CsvFormat defaults() {
      return new CsvFormat(',', '"', "UTF-8", List.of(""));
    }
  }

  /**
   * A dictionary CSV, relative to the sources directory, that turns a local code into a test code,
   * name and unit.
   *
   * @param columns which of the dictionary's columns hold what
   */
  public record CodeLookup(String dictionary, DictionaryColumns columns) {
    public CodeLookup {
      requireNonNull(dictionary, "dictionary is null");
      requireNonNull(columns, "columns is null");
    }

    /** A dictionary with the default column names. */
    public CodeLookup(String dictionary) {
      this(dictionary, DictionaryColumns.defaults());
    }
  }

  /**
   * The header names of a code dictionary's columns, as the mapping's {@code code-lookup.columns}
   * names them (keys {@code local-code}, {@code test-code}, {@code test-name}, {@code unit}).
   *
   * @param unit the unit column; empty: the column {@code unit} if the dictionary has one, else no
   *     units
   */
  public record DictionaryColumns(
      String localCode, String testCode, String testName, Optional<String> unit) {
    /** The unit column read when the mapping names none and the dictionary has it. */
    public static final String DEFAULT_UNIT = "unit";

    public DictionaryColumns {
      requireNonNull(localCode, "localCode is null");
      requireNonNull(testCode, "testCode is null");
      requireNonNull(testName, "testName is null");
      requireNonNull(unit, "unit is null");
    }

    /** {@code local_code}, {@code test_code}, {@code test_name} and an optional {@code unit}. */
    public static DictionaryColumns defaults() {
      return new DictionaryColumns("local_code", "test_code", "test_name", Optional.empty());
    }
  }

  /** Keep only rows whose {@code column} holds one of {@code keep}. */
  public record RowFilter(String column, List<String> keep) {
    public RowFilter {
      requireNonNull(column, "column is null");
      keep = List.copyOf(keep);
    }
  }

  /**
   * The validation rules of a source.
   *
   * @param disabled switchable rules turned off
   * @param unmappedCodes what happens to a row whose local code has no standard (LOINC) code
   * @param resultKinds the kinds of result the source may deliver; a result of another kind is
   *     rejected as {@code INVALID_RESULT}
   */
  public record Rules(
      Set<SwitchableRule> disabled, UnmappedCodes unmappedCodes, Set<ResultKind> resultKinds) {
    public Rules {
      disabled = Set.copyOf(disabled);
      requireNonNull(unmappedCodes, "unmappedCodes is null");
      resultKinds = Set.copyOf(resultKinds);
    }

    public Rules(Set<SwitchableRule> disabled) {
      this(disabled, UnmappedCodes.KEEP, Set.of(ResultKind.values()));
    }

    public boolean enabled(SwitchableRule rule) {
      return !disabled.contains(rule);
    }

    public static Rules allEnabled() {
      return new Rules(Set.of());
    }
  }

  /**
   * What happens to a row whose local code has no standard code (in the dictionary or the file).
   */
  public enum UnmappedCodes {
    /** Stored with its local code and name and a null {@code test_code}; counted in the run. */
    KEEP,
    /**
     * Rejected as {@code UNKNOWN_LOCAL_CODE} (not in the dictionary) or {@code
     * UNMAPPED_LOCAL_CODE}.
     */
    REJECT
  }

  /** The kinds of result the contract's {@code value_kind} column distinguishes. */
  public enum ResultKind {
    /** A plain number: {@code 4.2}. */
    NUMBER("number"),
    /** A number with a comparator: {@code <0.5}, {@code >= 100}. */
    CENSORED("censored"),
    /** A range: {@code 0-2}, {@code 10 - 20}. */
    RANGE("range"),
    /** A titer: {@code 1:80}, {@code <1:20}. */
    TITER("titer"),
    /** A semi-quantitative grade: {@code NEG}, {@code TRACE}, {@code 1+}, {@code ++}. */
    ORDINAL("ordinal"),
    /** Anything else, kept as written: {@code POS}, {@code See comments}, {@code 18/}. */
    TEXT("text");

    private final String key;

    ResultKind(String key) {
      this.key = key;
    }

    /**
     * The value stored in {@code value_kind} and written in a mapping's {@code rules.result-kinds}.
     */
    public String key() {
      return key;
    }

    public static Optional<ResultKind> fromKey(String key) {
      for (ResultKind kind : values()) {
        if (kind.key.equals(key)) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  /** Rules that can be turned off per source; the others always apply. */
  public enum SwitchableRule {
    COLLECTED_AT_IN_MONTH("collected-at-in-month"),
    NO_FUTURE_TIMESTAMPS("no-future-timestamps"),
    VALUE_PLAUSIBILITY("value-plausibility"),
    DUPLICATE_ROWS("duplicate-rows"),
    RESULTED_AFTER_COLLECTED("resulted-after-collected");

    private final String key;

    SwitchableRule(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Optional<SwitchableRule> fromKey(String key) {
      for (SwitchableRule rule : values()) {
        if (rule.key.equals(key)) {
          return Optional.of(rule);
        }
      }
      return Optional.empty();
    }
  }

  public Optional<String> column(Field field) {
    return Optional.ofNullable(columns.get(field));
  }
}
