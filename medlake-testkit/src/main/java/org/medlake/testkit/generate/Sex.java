package org.medlake.testkit.generate;

enum Sex {
  FEMALE,
  MALE,
  UNKNOWN
}
