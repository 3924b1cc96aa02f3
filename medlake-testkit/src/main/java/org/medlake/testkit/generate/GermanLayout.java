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
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Layout B: a German LIS export with semicolons, decimal commas, minute timestamps and the usual
 * {@code +}/{@code -} flags; with real-world shapes it reports glucose and creatinine in SI units.
 */
final class GermanLayout implements Layout {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("Fallnummer", ENCOUNTER_ID),
          new Column("PatientenNr", PATIENT_ID),
          new Column("Entnahmezeit", COLLECTED_AT),
          new Column("Befundzeit", RESULTED_AT),
          new Column("LOINC", TEST_CODE),
          new Column("Analyt", TEST_NAME),
          new Column("Ergebnis", RESULT),
          new Column("Einheit", UNIT),
          new Column("Referenz_unten", REF_LOW),
          new Column("Referenz_oben", REF_HIGH),
          new Column("Kennzeichen", FLAG),
          new Column("Geschlecht", SEX),
          new Column("Geburtsjahr", BIRTH_YEAR),
          new Column("Material", SPECIMEN));

  private final Map<String, LocalUnit> localUnits;

  /**
   * @param localUnits units this hospital reports tests in instead of the catalogue's, by test code
   */
  GermanLayout(Map<String, LocalUnit> localUnits) {
    this.localUnits = Map.copyOf(localUnits);
  }

  @Override
  public String id() {
    return "de";
  }

  @Override
  public char delimiter() {
    return ';';
  }

  @Override
  public char decimalSeparator() {
    return ',';
  }

  @Override
  public List<Column> columns() {
    return COLUMNS;
  }

  @Override
  public String fileName(YearMonth month) {
    StringBuilder name = new StringBuilder("Laborbefunde_");
    TextFormat.padded(name, month.getYear(), 4).append('_');
    return TextFormat.padded(name, month.getMonthValue(), 2).append(".csv").toString();
  }

  @Override
  public String timestampFormat() {
    return "%d.%m.%Y %H:%M";
  }

  @Override
  public String timestamp(LocalDateTime time) {
    return TextFormat.germanTimestamp(time);
  }

  @Override
  public String impossibleTimestamp(LocalDateTime time) {
    return "45.13." + time.getYear() + " 25:61";
  }

  @Override
  public String wrongFormatTimestamp(LocalDateTime time) {
    return TextFormat.isoTimestamp(time, ' ');
  }

  /** Exported on Windows. */
  @Override
  public String lineSeparator() {
    return "\r\n";
  }

  @Override
  public String flag(Flag flag) {
    return switch (flag) {
      case NORMAL -> "";
      case LOW -> "-";
      case HIGH -> "+";
      case CRITICAL_LOW -> "--";
      case CRITICAL_HIGH -> "++";
      // not in the value map on purpose: it passes through unchanged
      case ABNORMAL -> "A";
    };
  }

  /** Codes in lower case (the value map leaves them to the contract's rule) or {@code delta}. */
  @Override
  public String flagVariant(Flag flag, SplittableRandom random) {
    return random.nextInt(3) < 2
        ? flag.code().toLowerCase(Locale.ROOT)
        : RealWorldShapes.DELTA_FLAG;
  }

  @Override
  public Optional<LocalUnit> localUnit(LabTest test) {
    return Optional.ofNullable(localUnits.get(test.code()));
  }

  @Override
  public String sex(Sex sex) {
    return switch (sex) {
      case FEMALE -> "W";
      case MALE -> "M";
      case UNKNOWN -> "D";
    };
  }

  @Override
  public String specimen(Specimen specimen) {
    return switch (specimen) {
      case BLOOD -> "EDTA-Blut";
      case SERUM -> "Serum";
      case CITRATE_PLASMA -> "Citratplasma";
      case URINE -> "Urin";
    };
  }

  @Override
  public String patientId(Patient patient) {
    return TextFormat.padded(new StringBuilder(8), patient.number(), 8).toString();
  }

  @Override
  public String encounterId(YearMonth month, long encounterNumber) {
    StringBuilder text = new StringBuilder(11);
    TextFormat.padded(text, month.getYear() % 100, 2);
    TextFormat.padded(text, month.getMonthValue(), 2);
    return TextFormat.padded(text, encounterNumber, 7).toString();
  }

  @Override
  public String testCode(LabTest test) {
    return test.code();
  }

  @Override
  public boolean writesComparators() {
    return false;
  }

  @Override
  public List<String> mappingExtras(Hospital hospital) {
    return List.of(
        "value-maps:",
        "  abnormal-flag: {\"+\": H, \"-\": L, \"++\": HH, \"--\": LL, \"\": N}",
        "  patient-sex: {W: F, M: M, D: U}");
  }

  @Override
  public String invalidTestCode(LabTest test, SplittableRandom random) {
    return IsoLayout.malformedLoinc(test, random);
  }
}
