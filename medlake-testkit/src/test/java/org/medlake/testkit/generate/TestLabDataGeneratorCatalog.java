package org.medlake.testkit.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.medlake.core.validation.LoincCheckDigit;
import org.medlake.testkit.generate.LabTest.Distribution;
import org.medlake.testkit.generate.LabTest.Range;
import org.medlake.testkit.generate.LabTest.TextResult;

class TestLabDataGeneratorCatalog {
  private final LabTestCatalog catalog = LabTestCatalog.load();

  @Test
  void holdsAtLeastFortyTestsWithValidLoincCodes() {
    assertThat(catalog.tests()).hasSizeGreaterThanOrEqualTo(40);
    assertThat(catalog.tests())
        .extracting(LabTest::code)
        .allMatch(LoincCheckDigit::isValid)
        .doesNotHaveDuplicates();
    assertThat(ItemsLayout.VITAL_SIGNS)
        .extracting(LabTest::code)
        .allMatch(LoincCheckDigit::isValid);
  }

  @Test
  void referenceRangesAreSexSpecificWhereTheyAreInReality() {
    for (String code : List.of("718-7", "2160-0", "2276-4")) {
      LabTest test = catalog.test(code).orElseThrow();
      assertThat(test.maleRange()).as(code).isNotEqualTo(test.femaleRange());
      assertThat(test.male().mean()).as(code).isGreaterThan(test.female().mean());
    }
    LabTest hemoglobin = catalog.test("718-7").orElseThrow();
    assertThat(hemoglobin.unit()).isEqualTo("g/dL");
    assertThat(hemoglobin.femaleRange()).isEqualTo(new Range(12.0, 15.5));
    assertThat(catalog.test("1742-6").orElseThrow().distribution())
        .isEqualTo(Distribution.LOG_NORMAL);
    assertThat(catalog.test("1988-5").orElseThrow().distribution())
        .isEqualTo(Distribution.LOG_NORMAL);
    assertThat(catalog.test("2951-2").orElseThrow().distribution()).isEqualTo(Distribution.NORMAL);
  }

  @Test
  void numericTestsHavePlausibleBoundsFarOutsideTheirRanges() {
    for (LabTest test : catalog.tests()) {
      if (test.isText()) {
        continue;
      }
      for (Range range : List.of(test.femaleRange(), test.maleRange())) {
        if (range.hasLow()) {
          assertThat(test.plausibleMin()).as(test.code()).isLessThanOrEqualTo(range.low());
        }
        assertThat(test.plausibleMax())
            .as(test.code())
            .isGreaterThan(range.hasHigh() ? range.high() : range.low());
      }
      // bounds must survive rounding to the reported decimals
      assertThat(TextFormat.round(test.plausibleMin(), test.decimals()))
          .as(test.code())
          .isEqualTo(test.plausibleMin());
      assertThat(TextFormat.round(test.plausibleMax(), test.decimals()))
          .as(test.code())
          .isEqualTo(test.plausibleMax());
      assertThat(test.female().mean())
          .as(test.code())
          .isBetween(test.plausibleMin(), test.plausibleMax());
    }
  }

  @Test
  void includesQualitativeTestsAndReportingLimits() {
    LabTest pregnancy = catalog.test("2106-3").orElseThrow();
    assertThat(pregnancy.isText()).isTrue();
    assertThat(pregnancy.textResults()).extracting(TextResult::value).containsExactly("NEG", "POS");
    Set<String> textTests =
        catalog.tests().stream()
            .filter(LabTest::isText)
            .map(LabTest::code)
            .collect(Collectors.toSet());
    assertThat(textTests).contains("20454-5", "25428-4").hasSizeGreaterThanOrEqualTo(3);
    assertThat(catalog.tests())
        .flatExtracting(LabTest::textResults)
        .extracting(TextResult::value)
        .allMatch(value -> value.matches("[A-Z]+"));
    assertThat(catalog.test("1988-5").orElseThrow().reportingLimit()).isEqualTo(0.5);
    assertThat(catalog.test("10839-9").orElseThrow().hasReportingLimit()).isTrue();
  }

  @Test
  void panelsNameOnlyCatalogueTests() {
    LabPanels panels = LabPanels.create(catalog);

    Set<String> ordered =
        panels.panels().stream()
            .flatMap(panel -> panel.tests().stream())
            .map(LabTest::code)
            .collect(Collectors.toSet());
    assertThat(ordered).containsAll(catalog.tests().stream().map(LabTest::code).toList());
  }

  @Test
  void flagsFollowTheReferenceRange() {
    Range potassium = new Range(3.5, 5.1);
    assertThat(potassium.flag(4.0)).isEqualTo(Flag.NORMAL);
    assertThat(potassium.flag(5.1)).isEqualTo(Flag.NORMAL);
    assertThat(potassium.flag(5.2)).isEqualTo(Flag.HIGH);
    assertThat(potassium.flag(6.8)).isEqualTo(Flag.CRITICAL_HIGH);
    assertThat(potassium.flag(3.0)).isEqualTo(Flag.LOW);
    assertThat(potassium.flag(1.8)).isEqualTo(Flag.CRITICAL_LOW);
    Range crp = new Range(Double.NEGATIVE_INFINITY, 5.0);
    assertThat(crp.flag(0.5)).isEqualTo(Flag.NORMAL);
    assertThat(crp.flag(8)).isEqualTo(Flag.HIGH);
    assertThat(crp.flag(11)).isEqualTo(Flag.CRITICAL_HIGH);
    Range hdl = new Range(40, Double.POSITIVE_INFINITY);
    assertThat(hdl.flag(35)).isEqualTo(Flag.LOW);
    assertThat(hdl.flag(90)).isEqualTo(Flag.NORMAL);
  }

  @Test
  void formatsNumbersWithoutLocale() {
    assertThat(TextFormat.decimal(7.5, 1, ',')).isEqualTo("7,5");
    assertThat(TextFormat.decimal(0.04, 2, '.')).isEqualTo("0.04");
    assertThat(TextFormat.decimal(-14.26, 1, '.')).isEqualTo("-14.3");
    assertThat(TextFormat.decimal(-0.01, 1, '.')).isEqualTo("0.0");
    assertThat(TextFormat.decimal(139, 0, '.')).isEqualTo("139");
    assertThat(TextFormat.decimal(1.017, 3, ',')).isEqualTo("1,017");
  }
}
