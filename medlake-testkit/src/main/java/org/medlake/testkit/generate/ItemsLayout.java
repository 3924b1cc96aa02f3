package org.medlake.testkit.generate;

import static org.medlake.testkit.generate.Layout.Role.BIRTH_YEAR;
import static org.medlake.testkit.generate.Layout.Role.CATEGORY;
import static org.medlake.testkit.generate.Layout.Role.COLLECTED_AT;
import static org.medlake.testkit.generate.Layout.Role.ENCOUNTER_ID;
import static org.medlake.testkit.generate.Layout.Role.FLAG;
import static org.medlake.testkit.generate.Layout.Role.LOCAL_CODE;
import static org.medlake.testkit.generate.Layout.Role.LOCAL_NAME;
import static org.medlake.testkit.generate.Layout.Role.PATIENT_ID;
import static org.medlake.testkit.generate.Layout.Role.REFERENCE_RANGE;
import static org.medlake.testkit.generate.Layout.Role.RESULT;
import static org.medlake.testkit.generate.Layout.Role.RESULTED_AT;
import static org.medlake.testkit.generate.Layout.Role.SEX;
import static org.medlake.testkit.generate.Layout.Role.SPECIMEN;
import static org.medlake.testkit.generate.Layout.Role.UNIT;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.testkit.generate.LabTest.Distribution;
import org.medlake.testkit.generate.LabTest.Parameters;
import org.medlake.testkit.generate.LabTest.Range;

/**
 * Layout C: a hospital information system export with local item codes resolved through a
 * dictionary, one reference range column, flag words, and vital signs mixed into the lab rows.
 */
final class ItemsLayout implements Layout {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("patient_no", PATIENT_ID),
          new Column("visit_no", ENCOUNTER_ID),
          new Column("item_id", LOCAL_CODE),
          new Column("item_name", LOCAL_NAME),
          new Column("value", RESULT),
          new Column("units", UNIT),
          new Column("ref_range", REFERENCE_RANGE),
          new Column("flag", FLAG),
          new Column("drawn_at", COLLECTED_AT),
          new Column("reported_at", RESULTED_AT),
          new Column("sex", SEX),
          new Column("birth_year", BIRTH_YEAR),
          new Column("specimen_type", SPECIMEN),
          new Column("category", CATEGORY));

  /** Vital signs carry real LOINC codes too, so the dictionary resolves them even unfiltered. */
  static final List<LabTest> VITAL_SIGNS =
      List.of(
          vitalSign("8480-6", "Systolic blood pressure", "mm[Hg]", 90, 140, 40, 300, 128, 18),
          vitalSign("8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 90, 20, 200, 78, 11),
          vitalSign("8867-4", "Heart rate", "/min", 60, 100, 20, 250, 78, 13),
          vitalSign(
              "59408-5", "Oxygen saturation by Pulse oximetry", "%", 94, 100, 50, 100, 96, 2));

  private final List<DictionaryEntry> dictionary;
  private final Map<String, String> localCodes;
  private final boolean mapsLocalName;

  /**
   * @param realWorld the dictionary also lists the real-world tests, with LOINC codes, and local
   *     items without one ({@link RealWorldShapes}); the local name is mapped
   */
  ItemsLayout(LabTestCatalog catalog, boolean realWorld) {
    List<DictionaryEntry> entries = new ArrayList<>();
    List<LabTest> tests = catalog.tests();
    for (int i = 0; i < tests.size(); i++) {
      entries.add(DictionaryEntry.standard("K" + (1001 + i * 11), tests.get(i)));
    }
    for (int i = 0; i < VITAL_SIGNS.size(); i++) {
      entries.add(DictionaryEntry.standard("V" + (101 + i), VITAL_SIGNS.get(i)));
    }
    Map<String, String> codes = new HashMap<>();
    if (realWorld) {
      List<LabTest> standardTests = RealWorldShapes.STANDARD_TESTS;
      for (int i = 0; i < standardTests.size(); i++) {
        entries.add(DictionaryEntry.standard("K" + (3001 + i * 11), standardTests.get(i)));
      }
      // local items are identified by their local code alone
      for (LabTest item : RealWorldShapes.UNMAPPED_ITEMS) {
        entries.add(new DictionaryEntry(item.code(), item, ""));
      }
      for (LabTest item : RealWorldShapes.UNKNOWN_ITEMS) {
        codes.put(item.code(), item.code());
      }
    }
    this.dictionary = List.copyOf(entries);
    for (DictionaryEntry entry : entries) {
      codes.put(entry.test().code(), entry.localCode());
    }
    this.localCodes = Map.copyOf(codes);
    this.mapsLocalName = realWorld;
  }

  /** The rows of {@code <source>-items.csv}, in a stable order. */
  List<DictionaryEntry> dictionary() {
    return dictionary;
  }

  static String dictionaryFileName(Hospital hospital) {
    return hospital.source() + "-items.csv";
  }

  @Override
  public String id() {
    return "items";
  }

  @Override
  public char delimiter() {
    return ',';
  }

  @Override
  public char decimalSeparator() {
    return '.';
  }

  @Override
  public List<Column> columns() {
    return COLUMNS;
  }

  @Override
  public String fileName(YearMonth month) {
    StringBuilder name = new StringBuilder("export_items_");
    TextFormat.padded(name, month.getYear(), 4);
    return TextFormat.padded(name, month.getMonthValue(), 2).append(".csv").toString();
  }

  @Override
  public String timestampFormat() {
    return "%Y-%m-%dT%H:%M:%S";
  }

  @Override
  public String timestamp(LocalDateTime time) {
    return TextFormat.isoTimestamp(time, 'T');
  }

  @Override
  public String impossibleTimestamp(LocalDateTime time) {
    return time.getYear() + "-13-45T25:61:00";
  }

  @Override
  public String flag(Flag flag) {
    return switch (flag) {
      case NORMAL -> "normal";
      case LOW -> "low";
      case HIGH -> "high";
      case CRITICAL_LOW -> "critical low";
      case CRITICAL_HIGH -> "critical high";
      case ABNORMAL -> "abnormal";
    };
  }

  @Override
  public String flagVariant(Flag flag, SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> flag.word().toUpperCase(Locale.ROOT);
      case 1 -> flag.code();
      case 2 -> RealWorldShapes.DELTA_FLAG;
      default -> "";
    };
  }

  @Override
  public Optional<Field> field(Column column) {
    if (column.role() == LOCAL_NAME && mapsLocalName) {
      return Optional.of(Field.LOCAL_NAME);
    }
    return column.role().field();
  }

  @Override
  public String sex(Sex sex) {
    return switch (sex) {
      case FEMALE -> "female";
      case MALE -> "male";
      case UNKNOWN -> "unknown";
    };
  }

  @Override
  public String specimen(Specimen specimen) {
    return switch (specimen) {
      case BLOOD -> "BLD";
      case SERUM -> "SER";
      case CITRATE_PLASMA -> "PPP";
      case URINE -> "UR";
    };
  }

  @Override
  public String patientId(Patient patient) {
    return TextFormat.padded(new StringBuilder(12).append("MRN-"), patient.number(), 8).toString();
  }

  @Override
  public String encounterId(YearMonth month, long encounterNumber) {
    StringBuilder text = new StringBuilder(15).append('V');
    TextFormat.padded(text, month.getYear(), 4);
    TextFormat.padded(text, month.getMonthValue(), 2).append('-');
    return TextFormat.padded(text, encounterNumber, 7).toString();
  }

  @Override
  public String testCode(LabTest test) {
    String localCode = localCodes.get(test.code());
    if (localCode == null) {
      throw new IllegalArgumentException("Test " + test.code() + " has no local item code");
    }
    return localCode;
  }

  @Override
  public boolean writesComparators() {
    return false;
  }

  @Override
  public List<String> mappingExtras(Hospital hospital) {
    return List.of(
        "code-lookup: {dictionary: " + dictionaryFileName(hospital) + "}",
        "filter: {column: category, keep: [LAB]}",
        "value-maps:",
        "  abnormal-flag: {normal: N, low: L, high: H, \"critical low\": LL, \"critical high\": HH,"
            + " abnormal: A}",
        "  patient-sex: {female: F, male: M, unknown: U}");
  }

  /** Item codes from K9000 up are never in the dictionary (it ends well below K2000). */
  @Override
  public String invalidTestCode(LabTest test, SplittableRandom random) {
    return "K" + (9000 + random.nextInt(1000));
  }

  private static LabTest vitalSign(
      String code,
      String name,
      String unit,
      double low,
      double high,
      double plausibleMin,
      double plausibleMax,
      double mean,
      double standardDeviation) {
    Range range = new Range(low, high);
    Parameters parameters = new Parameters(mean, standardDeviation);
    return new LabTest(
        code,
        name,
        unit,
        range,
        range,
        plausibleMin,
        plausibleMax,
        Distribution.NORMAL,
        Double.NaN,
        parameters,
        parameters,
        0,
        List.of());
  }

  /**
   * @param standardCode the LOINC code the dictionary gives, empty for a local item without one
   */
  record DictionaryEntry(String localCode, LabTest test, String standardCode) {
    static DictionaryEntry standard(String localCode, LabTest test) {
      return new DictionaryEntry(localCode, test, test.code());
    }
  }
}
