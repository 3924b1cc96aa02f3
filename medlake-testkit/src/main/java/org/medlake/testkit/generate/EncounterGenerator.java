package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Produces the results of one hospital month, encounter by encounter: a patient, one blood draw,
 * the tests of the ordered panels, each resulted on its own.
 */
final class EncounterGenerator {
  private static final int FIRST_HOUR = 6;
  private static final int LAST_HOUR = 21;
  // on the last day of the month collections end earlier, so that times stay inside the month
  // in UTC as well for zones up to six hours behind it
  private static final int LAST_HOUR_ON_LAST_DAY = 17;
  private static final long MINIMUM_TURNAROUND_SECONDS = 10 * 60;
  private static final long MAXIMUM_TURNAROUND_SECONDS = 36 * 60 * 60;
  private static final double MEDIAN_TURNAROUND_LOG = StrictMath.log(2 * 60 * 60);
  private static final double OLDEST_PREGNANCY_AGE = 55;

  private final LabPanels panels;
  private final PatientPool patients;
  private final YearMonth month;
  private final ZoneId timeZone;
  private final SplittableRandom random;
  private final Deque<LabResult> pending = new ArrayDeque<>();
  private long encounterNumber;
  private Patient currentPatient;
  private LocalDateTime currentCollection;
  private int extrasInEncounter;

  EncounterGenerator(
      LabPanels panels,
      PatientPool patients,
      YearMonth month,
      ZoneId timeZone,
      SplittableRandom random) {
    this.panels = requireNonNull(panels, "panels is null");
    this.patients = requireNonNull(patients, "patients is null");
    this.month = requireNonNull(month, "month is null");
    this.timeZone = requireNonNull(timeZone, "timeZone is null");
    this.random = requireNonNull(random, "random is null");
  }

  LabResult nextResult() {
    while (pending.isEmpty()) {
      startEncounter();
    }
    return pending.removeFirst();
  }

  /**
   * A vital sign of the current encounter, a minute later than the previous one so that no two rows
   * of the file are equal.
   */
  LabResult nextVitalSign() {
    if (currentPatient == null) {
      startEncounter();
    }
    extrasInEncounter++;
    List<LabTest> vitalSigns = ItemsLayout.VITAL_SIGNS;
    LabTest test = vitalSigns.get(random.nextInt(vitalSigns.size()));
    LocalDateTime measuredAt = currentCollection.plusMinutes(extrasInEncounter);
    return ResultSampler.sample(
        test,
        currentPatient,
        encounterNumber,
        measuredAt,
        measuredAt.plusMinutes(1),
        Category.VITAL,
        random);
  }

  /**
   * A result of the given test for the current encounter, a minute later than the previous extra
   * row (vital sign or real-world shape), so that no two rows of the file are equal.
   */
  LabResult extraResult(LabTest test) {
    if (currentPatient == null) {
      startEncounter();
    }
    extrasInEncounter++;
    LocalDateTime collectedAt = currentCollection.plusMinutes(extrasInEncounter);
    return ResultSampler.sample(
        test,
        currentPatient,
        encounterNumber,
        collectedAt,
        resultTime(collectedAt),
        Category.LAB,
        random);
  }

  /** A valid collection time at least two days before or after the month. */
  LocalDateTime collectionOutsideMonth() {
    YearMonth other = random.nextBoolean() ? month.minusMonths(1) : month.plusMonths(1);
    int day =
        other.isBefore(month)
            ? 1 + random.nextInt(other.lengthOfMonth() - 2)
            : 3 + random.nextInt(other.lengthOfMonth() - 2);
    return other.atDay(day).atTime(hour(LAST_HOUR), random.nextInt(60), random.nextInt(60));
  }

  /**
   * Computed on the time line, not on the wall clock, so the result time always exists locally even
   * when the turnaround spans a daylight saving switch.
   */
  LocalDateTime resultTime(LocalDateTime collectedAt) {
    double seconds = StrictMath.exp(MEDIAN_TURNAROUND_LOG + 0.9 * Gaussian.next(random));
    long turnaround =
        Math.max(MINIMUM_TURNAROUND_SECONDS, Math.min(MAXIMUM_TURNAROUND_SECONDS, (long) seconds));
    return collectedAt.atZone(timeZone).plusSeconds(turnaround).toLocalDateTime();
  }

  private void startEncounter() {
    encounterNumber++;
    extrasInEncounter = 0;
    currentPatient = patients.pick(random);
    currentCollection = collectionInMonth();
    int age = month.getYear() - currentPatient.birthYear();
    for (LabPanels.Panel panel : panels.order(random)) {
      for (LabTest test : panel.tests()) {
        if (random.nextDouble() >= panel.inclusion() || !eligible(test, currentPatient, age)) {
          continue;
        }
        pending.addLast(
            ResultSampler.sample(
                test,
                currentPatient,
                encounterNumber,
                currentCollection,
                resultTime(currentCollection),
                Category.LAB,
                random));
      }
    }
  }

  private static boolean eligible(LabTest test, Patient patient, int age) {
    return !test.code().equals("2106-3")
        || (patient.sex() == Sex.FEMALE && age <= OLDEST_PREGNANCY_AGE);
  }

  /** Between 06:00 and 22:00 local time, which keeps clear of daylight saving gaps. */
  private LocalDateTime collectionInMonth() {
    int day = 1 + random.nextInt(month.lengthOfMonth());
    int lastHour = day == month.lengthOfMonth() ? LAST_HOUR_ON_LAST_DAY : LAST_HOUR;
    return month.atDay(day).atTime(hour(lastHour), random.nextInt(60), random.nextInt(60));
  }

  /** Most blood is drawn on the morning round. */
  private int hour(int lastHour) {
    if (random.nextDouble() < 0.55) {
      return FIRST_HOUR + random.nextInt(4);
    }
    return FIRST_HOUR + random.nextInt(lastHour - FIRST_HOUR + 1);
  }
}
