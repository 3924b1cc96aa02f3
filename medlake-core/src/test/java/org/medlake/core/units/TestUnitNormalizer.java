package org.medlake.core.units;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TestUnitNormalizer {
  private static final UnitNormalizer NORMALIZER = UnitNormalizer.create();

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "mg/dL | mg/dL",
        "MG/DL | mg/dL",
        "mg/dl | mg/dL",
        "mmol/l | mmol/L",
        "MMOL/L | mmol/L",
        "umol/L | umol/L",
        "ug/mL | ug/mL",
        "µg/mL | ug/mL",
        "μg/mL | ug/mL",
        "mcg/mL | ug/mL",
        "MCG/ML | ug/mL",
        "K/uL | 10*3/uL",
        "k/µl | 10*3/uL",
        "10^3/uL | 10*3/uL",
        "10*3/uL | 10*3/uL",
        "x10E3/uL | 10*3/uL",
        "X10E3/UL | 10*3/uL",
        "10E9/L | 10*9/L",
        "x10^9/L | 10*9/L",
        "×10⁹/L | 10*9/L",
        "x10⁹/L | 10*9/L",
        "10^12/L | 10*12/L",
        "M/uL | 10*6/uL",
        "G/L | 10*9/L",
        "T/L | 10*12/L",
        "/uL | /uL",
        "/mm3 | /mm3",
        "cells/uL | {cells}/uL",
        "/hpf | /[HPF]",
        "U/L | U/L",
        "u/l | U/L",
        "IU/L | [IU]/L",
        "mU/L | mU/L",
        "MU/L | mU/L",
        "mIU/mL | m[IU]/mL",
        "uIU/mL | u[IU]/mL",
        "µIU/mL | u[IU]/mL",
        "m[IU]/L | m[IU]/L",
        "ukat/L | ukat/L",
        "g/dL | g/dL",
        "g/L | g/L",
        "gm/dl | g/dL",
        "fL | fL",
        "fl | fL",
        "pg | pg",
        "% | %",
        "mEq/L | meq/L",
        "MEQ/L | meq/L",
        "mOsm/kg | mosm/kg",
        "mm[Hg] | mm[Hg]",
        "mmHg | mm[Hg]",
        "mm Hg | mm[Hg]",
        "sec | s",
        "s | s",
        "SEC | s",
        "mm/hr | mm/h",
        "ratio | {ratio}",
        "Ratio | {ratio}",
        "{INR} | {INR}",
        "ng/mL{FEU} | ng/mL{FEU}",
        "ng/mL FEU | ng/mL{FEU}",
        "ug/L DDU | ug/L{DDU}",
        "pH | [pH]",
        "mL/min/1.73m2 | mL/min/{1.73_m2}",
        "L/L | L/L",
        "1 | 1",
        "mmol/mol | mmol/mol",
        "m² | m2",
      })
  void normalizesSpellingsToUcum(String written, String expected) {
    assertThat(NORMALIZER.normalize(written))
        .isEqualTo(new NormalizedUnit(expected, NormalizedUnit.Form.UCUM));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "   \n"})
  void blankIsAbsent(String written) {
    assertThat(NORMALIZER.normalize(written))
        .isEqualTo(new NormalizedUnit("", NormalizedUnit.Form.ABSENT));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "see comment",
        "mg/dL)",
        "per HPF ",
        "NA",
        "mg//dL",
        "{unclosed",
        "mg/{a}{b}",
        "xyz/L",
        "Q",
        "10*",
        "mg/dL))",
        "mg dL"
      })
  void keepsWhatItDoesNotUnderstandAsWritten(String written) {
    assertThat(NORMALIZER.normalize(written))
        .isEqualTo(new NormalizedUnit(written.strip(), NormalizedUnit.Form.NOT_UNDERSTOOD));
  }

  @Test
  void keepsValidUcumOutsideTheLaboratoryTable() {
    assertThat(NORMALIZER.normalize("[arb'U]/mL"))
        .isEqualTo(new NormalizedUnit("[arb'U]/mL", NormalizedUnit.Form.UCUM));
    assertThat(NORMALIZER.normalize("Cel"))
        .isEqualTo(new NormalizedUnit("Cel", NormalizedUnit.Form.UCUM));
  }

  @Test
  void refusesOverlongText() {
    String written = "mg/" + "d".repeat(200);
    assertThat(NORMALIZER.normalize(written).form()).isEqualTo(NormalizedUnit.Form.NOT_UNDERSTOOD);
  }

  @Test
  void everyCatalogUnitIsValidUcumAndNormalizesToItself() {
    Ucum ucum = Ucum.shared();
    for (LabTestUnit test : LabTestUnits.load().tests()) {
      if (!test.hasUnit()) {
        continue;
      }
      assertThat(ucum.isValid(test.unit())).as("unit of %s", test.testCode()).isTrue();
      assertThat(NORMALIZER.normalize(test.unit()))
          .as("unit of %s", test.testCode())
          .isEqualTo(new NormalizedUnit(test.unit(), NormalizedUnit.Form.UCUM));
    }
  }

  @Test
  void loadsTheBundledUcumDefinitions() {
    assertThat(Ucum.shared().version()).isNotBlank();
    assertThat(UnitNormalizer.class.getResource("/ucum-essence.xml")).isNotNull();
  }
}
