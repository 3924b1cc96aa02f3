package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The patients of one hospital. The pool is drawn from the hospital's own seed, so the same
 * patients recur month after month; a few are seen often, most rarely.
 */
final class PatientPool {
  static final int MINIMUM_SIZE = 20;

  /** The validator's earliest birth year; a pool of long ago has no older patients. */
  static final int EARLIEST_BIRTH_YEAR = 1870;

  // patient numbers are a permutation of 8-digit numbers; 7919 is prime to 90,000,000
  private static final long NUMBER_RANGE = 90_000_000L;
  private static final long NUMBER_STRIDE = 7919L;

  private final List<Patient> patients;

  private PatientPool(List<Patient> patients) {
    this.patients = List.copyOf(requireNonNull(patients, "patients is null"));
  }

  static int sizeFor(int rowsPerFile) {
    return Math.max(MINIMUM_SIZE, rowsPerFile / 8);
  }

  static PatientPool create(int size, int referenceYear, SplittableRandom random) {
    long offset = random.nextLong(NUMBER_RANGE);
    List<Patient> patients = new ArrayList<>(size);
    for (int index = 0; index < size; index++) {
      long number = (index * NUMBER_STRIDE + offset) % NUMBER_RANGE + 10_000_000L;
      Sex sex = sex(random);
      int birthYear = Math.max(EARLIEST_BIRTH_YEAR, referenceYear - age(random));
      patients.add(new Patient((int) number, sex, birthYear));
    }
    return new PatientPool(patients);
  }

  List<Patient> patients() {
    return patients;
  }

  /** Skewed towards the start of the pool, so some patients come back every month. */
  Patient pick(SplittableRandom random) {
    int index = (int) (patients.size() * StrictMath.pow(random.nextDouble(), 1.5));
    return patients.get(Math.min(index, patients.size() - 1));
  }

  private static Sex sex(SplittableRandom random) {
    double draw = random.nextDouble();
    if (draw < 0.005) {
      return Sex.UNKNOWN;
    }
    return draw < 0.52 ? Sex.FEMALE : Sex.MALE;
  }

  /** Hospital patients are old: mean 62, and about 7% are older than 89. */
  private static int age(SplittableRandom random) {
    long age = Math.round(62 + 18 * Gaussian.next(random));
    return (int) Math.max(18, Math.min(104, age));
  }
}
