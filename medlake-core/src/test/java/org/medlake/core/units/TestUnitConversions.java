package org.medlake.core.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medlake.core.error.MedlakeException;

class TestUnitConversions {
  private static final UnitConversions CONVERSIONS = UnitConversions.load();

  private static final String GLUCOSE = "2345-7";
  private static final String CREATININE = "2160-0";
  private static final String LEUKOCYTES = "6690-2";
  private static final String SODIUM = "2951-2";
  private static final String HBA1C = "4548-4";

  /**
   * Factors from the written unit into the catalog's canonical unit, against conversion factors
   * published in clinical chemistry references (SI conversion tables), to 0.5 %.
   */
  @ParameterizedTest(name = "{0} in {1}: x {2}")
  @CsvSource({
    // glucose: 1 mmol/L = 18.0 mg/dL
    "2345-7, mmol/L, 18.0",
    "2345-7, mmol/l, 18.0",
    "2345-7, g/L, 100",
    // creatinine: 1 mg/dL = 88.4 umol/L
    "2160-0, umol/L, 0.01131",
    "2160-0, µmol/L, 0.01131",
    // urea nitrogen: urea 1 mmol/L = 2.8 mg/dL of nitrogen
    "3094-0, mmol/L, 2.801",
    // calcium: 1 mmol/L = 4.008 mg/dL; 1 mEq/L = 2.004 mg/dL
    "17861-6, mmol/L, 4.008",
    "17861-6, mEq/L, 2.004",
    // magnesium: 1 mmol/L = 2.431 mg/dL; 1 mEq/L = 1.215 mg/dL
    "19123-9, mmol/L, 2.431",
    "19123-9, mEq/L, 1.215",
    // phosphate as phosphorus: 1 mmol/L = 3.097 mg/dL
    "2777-1, mmol/L, 3.097",
    // bilirubin: 1 mg/dL = 17.1 umol/L
    "1975-2, umol/L, 0.05848",
    // iron: 1 ug/dL = 0.179 umol/L
    "2498-4, umol/L, 5.585",
    // cholesterol: 1 mmol/L = 38.67 mg/dL; triglycerides (as triolein) 1 mmol/L = 88.57 mg/dL
    "2093-3, mmol/L, 38.67",
    "13457-7, mmol/L, 38.67",
    "2571-8, mmol/L, 88.57",
    // urate: 1 mg/dL = 59.48 umol/L
    "3084-1, umol/L, 0.01681",
    // lactate: 1 mmol/L = 9.01 mg/dL
    "2524-7, mg/dL, 0.1110",
    // hemoglobin (per haem): 1 mmol/L = 1.611 g/dL; 1 g/L = 0.1 g/dL
    "718-7, mmol/L, 1.611",
    "718-7, g/L, 0.1",
    // vitamin B12: 1 pmol/L = 1.355 pg/mL; folate 1 nmol/L = 0.441 ng/mL
    "2132-9, pmol/L, 1.355",
    "2284-8, nmol/L, 0.4414",
    // 25-OH vitamin D: 1 nmol/L = 0.4006 ng/mL; testosterone 1 nmol/L = 28.84 ng/dL
    "62292-8, nmol/L, 0.4006",
    "2986-8, nmol/L, 28.84",
    // free T4: 1 pmol/L = 0.0777 ng/dL
    "3024-7, pmol/L, 0.07769",
    // sodium: mEq/L = mmol/L for a monovalent ion
    "2951-2, mEq/L, 1",
    "2823-3, meq/l, 1",
    // counts: K/uL = 10^3/uL = 10^9/L = G/L
    "6690-2, K/uL, 1",
    "6690-2, 10^3/uL, 1",
    "6690-2, x10E3/uL, 1",
    "6690-2, 10^9/L, 1",
    "6690-2, G/L, 1",
    "6690-2, /uL, 0.001",
    "6690-2, /mm3, 0.001",
    "789-8, 10^12/L, 1",
    "789-8, M/uL, 1",
    // hematocrit as a volume fraction
    "4544-3, L/L, 100",
    // protein: 1 g/L = 0.1 g/dL
    "2885-2, g/L, 0.1",
    // enzymes: 1 ukat/L = 60 U/L; IU/L is U/L
    "1742-6, ukat/L, 60",
    "1742-6, IU/L, 1",
    "1742-6, nkat/L, 0.06",
    // thyrotropin: uIU/mL = mIU/L = mU/L
    "3016-3, uIU/mL, 1",
    "3016-3, mU/L, 1",
    "3016-3, uU/mL, 1",
    // prothrombin time, INR, D-dimer, CRP, ferritin, ESR
    "5902-2, sec, 1",
    "6301-6, ratio, 1",
    "48065-7, ug/mL FEU, 1000",
    "48065-7, ug/L, 1",
    "1988-5, mg/dL, 10",
    "2276-4, ug/L, 1",
    "4537-7, mm/hr, 1",
  })
  void convertsByTextbookFactors(String testCode, String written, double textbookFactor) {
    UnitConversion conversion = CONVERSIONS.convert(testCode, written);

    UnitStatus expected =
        conversion.unit().equals(conversion.canonicalUnit())
            ? UnitStatus.CANONICAL
            : UnitStatus.CONVERTED;
    assertThat(conversion.status()).isEqualTo(expected);
    assertThat(conversion.factor()).isCloseTo(textbookFactor, withPercentage(0.5));
  }

  @Test
  void convertsTheFamiliarExamplesBothWays() {
    assertThat(factor(GLUCOSE, "mg/dL", "mmol/L")).isCloseTo(0.0555, within(0.0001));
    assertThat(factor(CREATININE, "mg/dL", "umol/L")).isCloseTo(88.4, within(0.05));
    assertThat(factor(GLUCOSE, "mmol/L", "mg/dL"))
        .isCloseTo(1 / factor(GLUCOSE, "mg/dL", "mmol/L"), within(1e-12));
    assertThat(CONVERSIONS.convert("718-7", "g/L").toCanonical(140).getAsDouble())
        .isCloseTo(14.0, within(1e-9));
    assertThat(CONVERSIONS.convert(LEUKOCYTES, "10^9/L").toCanonical(7.5).getAsDouble())
        .isCloseTo(7.5, within(1e-9));
  }

  @Test
  void keepsTheCanonicalUnitWithFactorOne() {
    assertThat(CONVERSIONS.convert(GLUCOSE, "mg/dL"))
        .isEqualTo(new UnitConversion("mg/dL", "mg/dL", 1, UnitStatus.CANONICAL));
    assertThat(CONVERSIONS.convert(GLUCOSE, " MG/DL "))
        .isEqualTo(new UnitConversion("mg/dL", "mg/dL", 1, UnitStatus.CANONICAL));
    assertThat(CONVERSIONS.convert(LEUKOCYTES, "10*3/uL").status()).isEqualTo(UnitStatus.CANONICAL);
    assertThat(CONVERSIONS.convert(LEUKOCYTES, "K/uL"))
        .isEqualTo(new UnitConversion("10*3/uL", "10*3/uL", 1, UnitStatus.CANONICAL));
    assertThat(CONVERSIONS.convert(LEUKOCYTES, "10^9/L"))
        .isEqualTo(new UnitConversion("10*9/L", "10*3/uL", 1, UnitStatus.CONVERTED));
    assertThat(CONVERSIONS.convert("3016-3", "mIU/L").status()).isEqualTo(UnitStatus.CANONICAL);
    assertThat(CONVERSIONS.convert("6301-6", "{INR}").status()).isEqualTo(UnitStatus.CANONICAL);
  }

  @Test
  void assumesTheCanonicalUnitWhenNoneIsWritten() {
    assertThat(CONVERSIONS.convert(GLUCOSE, ""))
        .isEqualTo(new UnitConversion("", "mg/dL", 1, UnitStatus.ASSUMED_CANONICAL));
    assertThat(CONVERSIONS.convert(GLUCOSE, "  ").toCanonical(90).getAsDouble()).isEqualTo(90);
  }

  @Test
  void flagsUnitsThatDoNotConvert() {
    UnitConversion massForCount = CONVERSIONS.convert(LEUKOCYTES, "mg/dL");
    assertThat(massForCount)
        .isEqualTo(
            new UnitConversion("mg/dL", "10*3/uL", Double.NaN, UnitStatus.INCOMPATIBLE_UNIT));
    assertThat(massForCount.toCanonical(5)).isEmpty();
    assertThat(massForCount.convertedUnit()).isEmpty();
    // UCUM alone would convert these: a mole is a number to it, and annotations mean nothing.
    assertThat(CONVERSIONS.convert(HBA1C, "mmol/mol").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert(SODIUM, "10*3/uL").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert(LEUKOCYTES, "mmol/L").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert("48065-7", "ng/mL DDU").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    // no molar mass (CO2) or no valence (phosphate) in the catalog
    assertThat(CONVERSIONS.convert("2028-9", "mg/dL").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert("2777-1", "mEq/L").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert(GLUCOSE, "U/L").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert("718-7", "%").status()).isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    assertThat(CONVERSIONS.convert("5902-2", "mg").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
    // activity against mass
    assertThat(CONVERSIONS.convert("1742-6", "ug/L").status())
        .isEqualTo(UnitStatus.INCOMPATIBLE_UNIT);
  }

  @Test
  void flagsUnknownUnitsAndKeepsThemAsWritten() {
    assertThat(CONVERSIONS.convert(GLUCOSE, " milligrams per decilitre "))
        .isEqualTo(
            new UnitConversion(
                "milligrams per decilitre", "mg/dL", Double.NaN, UnitStatus.UNKNOWN_UNIT));
  }

  @Test
  void hasNoCanonicalUnitForTestsOutsideTheCatalogOrWithoutUnit() {
    assertThat(CONVERSIONS.convert("99999-9", "mg/dl"))
        .isEqualTo(new UnitConversion("mg/dL", "", Double.NaN, UnitStatus.NO_CANONICAL_UNIT));
    assertThat(CONVERSIONS.convert("5802-4", "").status()).isEqualTo(UnitStatus.NO_CANONICAL_UNIT);
    assertThat(CONVERSIONS.convert("99999-9", "what").unit()).isEqualTo("what");
    assertThat(CONVERSIONS.withoutTest("K/uL"))
        .isEqualTo(new UnitConversion("10*3/uL", "", Double.NaN, UnitStatus.NO_CANONICAL_UNIT));
  }

  @Test
  void everyCatalogUnitConvertsToItself() {
    for (LabTestUnit test : LabTestUnits.load().tests()) {
      UnitConversion conversion = CONVERSIONS.convert(test.testCode(), test.unit());
      UnitStatus expected = test.hasUnit() ? UnitStatus.CANONICAL : UnitStatus.NO_CANONICAL_UNIT;
      assertThat(conversion.status()).as("test %s", test.testCode()).isEqualTo(expected);
    }
  }

  @Test
  void readsTheCatalogByColumnName() throws Exception {
    String csv =
        """
        valence,unit,note,test_code,molar_mass
        ,mg/dL,"a, b",2345-7,180.156
        2,mg/dL,,17861-6,40.078

        1,mmol/L,,2951-2,
        """;
    LabTestUnits catalog =
        LabTestUnits.read(
            new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "tests.csv");

    assertThat(catalog.test("2345-7")).contains(new LabTestUnit("2345-7", "mg/dL", 180.156, 0));
    assertThat(catalog.test("17861-6")).contains(new LabTestUnit("17861-6", "mg/dL", 40.078, 2));
    assertThat(catalog.test("2951-2")).contains(new LabTestUnit("2951-2", "mmol/L", 0, 1));
    assertThat(catalog.tests()).hasSize(3);
    assertThat(new UnitConversions(catalog).convert("17861-6", "mEq/L").factor())
        .isCloseTo(2.004, withPercentage(0.1));
  }

  @Test
  void refusesACatalogWithoutTheColumnsOrWithBadNumbers() {
    assertThatThrownBy(() -> read("test_code,unit,molar_mass\n2345-7,mg/dL,180\n"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("tests.csv: the test catalog has no column 'valence'");
    assertThatThrownBy(() -> read("test_code,unit,molar_mass,valence\n2345-7,mg/dL,heavy,\n"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("tests.csv:2: For input string: \"heavy\"");
    assertThatThrownBy(() -> read("test_code,unit,molar_mass,valence\n2345-7,mg/dL,-1,\n"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("tests.csv:2: Test 2345-7 has molar mass -1.0");
    assertThatThrownBy(() -> read("test_code,unit,molar_mass,valence\n2345-7,mg/dL\n"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("tests.csv:2: expected 4 fields, found 2");
  }

  @Test
  void theBuiltInCatalogHasEveryTestOnce() {
    List<LabTestUnit> tests = LabTestUnits.load().tests();
    assertThat(tests).hasSize(66);
    assertThat(tests)
        .filteredOn(LabTestUnit::hasMolarMass)
        .extracting(LabTestUnit::testCode)
        .contains(GLUCOSE, CREATININE);
  }

  private static LabTestUnits read(String csv) throws Exception {
    return LabTestUnits.read(
        new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "tests.csv");
  }

  /** The factor from {@code from} to {@code to} for a test, through its canonical unit. */
  private static double factor(String testCode, String from, String to) {
    return CONVERSIONS.convert(testCode, from).factor()
        / CONVERSIONS.convert(testCode, to).factor();
  }
}
