package org.medlake.core.validation;

/**
 * The LOINC mod-10 check digit: a code is 1 to 7 digits, a hyphen and a check digit. The algorithm
 * published by Regenstrief (double the number formed by the digits in odd positions from the right,
 * add the digits of that and of the even-position digits) gives the same sum as doubling each
 * odd-position digit separately, Luhn style, which is what is computed here.
 */
public final class LoincCheckDigit {
  private static final int MAX_DIGITS = 7;

  private LoincCheckDigit() {}

  public static boolean isValid(String code) {
    if (code == null) {
      return false;
    }
    int hyphen = code.length() - 2;
    if (hyphen < 1 || hyphen > MAX_DIGITS || code.charAt(hyphen) != '-') {
      return false;
    }
    String digits = code.substring(0, hyphen);
    char check = code.charAt(hyphen + 1);
    if (!isAsciiDigits(digits) || check < '0' || check > '9') {
      return false;
    }
    return checkDigit(digits) == check - '0';
  }

  /** The check digit for the digits before the hyphen, e.g. 7 for {@code 2345}. */
  public static int checkDigit(String digits) {
    if (digits.isEmpty() || digits.length() > MAX_DIGITS || !isAsciiDigits(digits)) {
      throw new IllegalArgumentException("Not a LOINC code body: '" + digits + "'");
    }
    int sum = 0;
    for (int position = 0; position < digits.length(); position++) {
      int digit = digits.charAt(digits.length() - 1 - position) - '0';
      if (position % 2 == 0) {
        int doubled = digit * 2;
        sum += doubled / 10 + doubled % 10;
      } else {
        sum += digit;
      }
    }
    return (10 - sum % 10) % 10;
  }

  private static boolean isAsciiDigits(String text) {
    for (int i = 0; i < text.length(); i++) {
      char character = text.charAt(i);
      if (character < '0' || character > '9') {
        return false;
      }
    }
    return !text.isEmpty();
  }
}
