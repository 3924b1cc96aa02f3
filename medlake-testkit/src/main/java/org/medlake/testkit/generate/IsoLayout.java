package org.medlake.testkit.generate;

import static org.medlake.testkit.generate.Layout.Role.BIRTH_YEAR;
import static org.medlake.testkit.generate.Layout.Role.COLLECTED_AT;
import static org.medlake.testkit.generate.Layout.Role.ENCOUNTER_ID;
import static org.medlake.testkit.generate.Layout.Role.FLAG;
import static org.medlake.testkit.generate.Layout.Role.PATIENT_ID;
import static org.medlake.testkit.generate.Layout.Role.REF_HIGH;
import static org.medlake.testkit.generate.Layout.Role.REF_LOW;
import static org.medlake.testkit.generate.Layout.Role.RESULT;
import static org.medlake.testkit.generate.Layout.Role.RESULTED_AT;
import static org.medlake.testkit.generate.Layout.Role.SEX;
import static org.medlake.testkit.generate.Layout.Role.SPECIMEN;
import static org.medlake.testkit.generate.Layout.Role.TEST_CODE;
import static org.medlake.testkit.generate.Layout.Role.TEST_NAME;
import static org.medlake.testkit.generate.Layout.Role.UNIT;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.medlake.core.validation.LoincCheckDigit;

/** Layout A: the export a modern LIS writes, already close to the data contract. */
final class IsoLayout implements Layout {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("patient_id", PATIENT_ID),
          new Column("encounter_id", ENCOUNTER_ID),
          new Column("loinc", TEST_CODE),
          new Column("test_name", TEST_NAME),
          new Column("result", RESULT),
          new Column("unit", UNIT),
          new Column("ref_low", REF_LOW),
          new Column("ref_high", REF_HIGH),
          new Column("flag", FLAG),
          new Column("collected_at", COLLECTED_AT),
          new Column("resulted_at", RESULTED_AT),
          new Column("sex", SEX),
          new Column("birth_year", BIRTH_YEAR),
          new Column("specimen", SPECIMEN));

  private static final List<String> NOT_LOINC = List.of("ABC-1", "LOINC", "12-345", "x2345-7");

  @Override
  public String id() {
    return "iso";
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
    return "lab_results_" + month + ".csv";
  }

  @Override
  public String timestampFormat() {
    return "%Y-%m-%d %H:%M:%S";
  }

  @Override
  public String timestamp(LocalDateTime time) {
    return TextFormat.isoTimestamp(time, ' ');
  }

  @Override
  public String impossibleTimestamp(LocalDateTime time) {
    return time.getYear() + "-13-45 25:61:00";
  }

  @Override
  public String flag(Flag flag) {
    return switch (flag) {
      case NORMAL -> "N";
      case LOW -> "L";
      case HIGH -> "H";
      case CRITICAL_LOW -> "LL";
      case CRITICAL_HIGH -> "HH";
      case ABNORMAL -> "A";
    };
  }

  @Override
  public String flagVariant(Flag flag, SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> flag(flag).toLowerCase(Locale.ROOT);
      case 1 -> flag.capitalizedWord();
      case 2 -> RealWorldShapes.DELTA_FLAG;
      default -> "";
    };
  }

  @Override
  public String sex(Sex sex) {
    return switch (sex) {
      case FEMALE -> "F";
      case MALE -> "M";
      case UNKNOWN -> "U";
    };
  }

  @Override
  public String specimen(Specimen specimen) {
    return switch (specimen) {
      case BLOOD -> "blood";
      case SERUM -> "serum";
      case CITRATE_PLASMA -> "citrate plasma";
      case URINE -> "urine";
    };
  }

  @Override
  public String patientId(Patient patient) {
    return TextFormat.padded(new StringBuilder(9).append('P'), patient.number(), 8).toString();
  }

  @Override
  public String encounterId(YearMonth month, long encounterNumber) {
    StringBuilder text = new StringBuilder(14).append('E');
    TextFormat.padded(text, month.getYear(), 4);
    TextFormat.padded(text, month.getMonthValue(), 2);
    return TextFormat.padded(text, encounterNumber, 7).toString();
  }

  @Override
  public String testCode(LabTest test) {
    return test.code();
  }

  @Override
  public boolean writesComparators() {
    return true;
  }

  @Override
  public List<String> mappingExtras(Hospital hospital) {
    return List.of();
  }

  @Override
  public String invalidTestCode(LabTest test, SplittableRandom random) {
    return malformedLoinc(test, random);
  }

  /** A wrong check digit, a missing hyphen or no LOINC shape at all. */
  static String malformedLoinc(LabTest test, SplittableRandom random) {
    String code = test.code();
    String body = code.substring(0, code.indexOf('-'));
    int check = LoincCheckDigit.checkDigit(body);
    return switch (random.nextInt(3)) {
      case 0 -> body + "-" + (check + 1 + random.nextInt(9)) % 10;
      case 1 -> body + check;
      default -> NOT_LOINC.get(random.nextInt(NOT_LOINC.size()));
    };
  }
}
