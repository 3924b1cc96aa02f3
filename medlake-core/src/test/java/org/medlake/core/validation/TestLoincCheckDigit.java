package org.medlake.core.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestLoincCheckDigit {
  @Test
  void acceptsKnownCodes() {
    assertThat(LoincCheckDigit.isValid("2345-7")).isTrue();
    assertThat(LoincCheckDigit.isValid("718-7")).isTrue();
    assertThat(LoincCheckDigit.isValid("2160-0")).isTrue();
    assertThat(LoincCheckDigit.isValid("14979-9")).isTrue();
    assertThat(LoincCheckDigit.isValid("62292-8")).isTrue();
  }

  @Test
  void rejectsWrongCheckDigitsAndMalformedCodes() {
    assertThat(LoincCheckDigit.isValid("2345-8")).isFalse();
    assertThat(LoincCheckDigit.isValid("23457")).isFalse();
    assertThat(LoincCheckDigit.isValid("ABC-1")).isFalse();
    assertThat(LoincCheckDigit.isValid("-7")).isFalse();
    assertThat(LoincCheckDigit.isValid("12345678-9")).isFalse();
    assertThat(LoincCheckDigit.isValid("2345-77")).isFalse();
    assertThat(LoincCheckDigit.isValid(" 2345-7")).isFalse();
    assertThat(LoincCheckDigit.isValid("")).isFalse();
    assertThat(LoincCheckDigit.isValid(null)).isFalse();
  }

  @Test
  void computesTheCheckDigitOfTheLoincDocumentationExample() {
    assertThat(LoincCheckDigit.checkDigit("12345")).isEqualTo(5);
    assertThatThrownBy(() -> LoincCheckDigit.checkDigit("12a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not a LOINC code body: '12a'");
  }
}
