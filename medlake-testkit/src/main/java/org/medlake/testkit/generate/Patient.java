package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

record Patient(int number, Sex sex, int birthYear) {
  Patient {
    requireNonNull(sex, "sex is null");
  }
}
