package org.medlake.testkit.generate;

import java.util.Locale;

/** Abnormal flags of the data contract; layouts spell them their own way. */
enum Flag {
  NORMAL("N", "normal"),
  LOW("L", "low"),
  HIGH("H", "high"),
  CRITICAL_LOW("LL", "critical low"),
  CRITICAL_HIGH("HH", "critical high"),
  ABNORMAL("A", "abnormal");

  private final String code;
  private final String word;

  Flag(String code, String word) {
    this.code = code;
    this.word = word;
  }

  /** The contract's code, e.g. {@code HH}. */
  String code() {
    return code;
  }

  /** The word hospitals write, lower case, e.g. {@code critical high}. */
  String word() {
    return word;
  }

  /** The word with a capital first letter, e.g. {@code Critical high}. */
  String capitalizedWord() {
    return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
  }
}
