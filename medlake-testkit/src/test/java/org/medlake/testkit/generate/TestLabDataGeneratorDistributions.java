package org.medlake.testkit.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.testkit.generate.GeneratedFiles.generate;
import static org.medlake.testkit.generate.GeneratedFiles.options;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.testkit.generate.GeneratedFileClassifier.Classified;

class TestLabDataGeneratorDistributions {
  @TempDir Path temp;

  @Test
  void hemoglobinDependsOnSexAndFlagsAreMostlyNormal() throws IOException {
    GeneratorOptions options = options(temp).hospitals(1).months(1).rowsPerFile(40_000).build();
    List<Classified> rows = cleanRows(options, generate(options).files().get(0));

    List<Double> female = new ArrayList<>();
    List<Double> male = new ArrayList<>();
    long abnormal = 0;
    for (Classified row : rows) {
      if (!row.fields().get("flag").equals("N")) {
        abnormal++;
      }
      if (row.fields().get("loinc").equals("718-7")) {
        double value = Double.parseDouble(row.fields().get("result"));
        (row.fields().get("sex").equals("M") ? male : female).add(value);
      }
    }
    assertThat(female).hasSizeGreaterThan(300);
    assertThat(male).hasSizeGreaterThan(300);
    assertThat(mean(male) - mean(female)).isBetween(0.8, 2.2);
    assertThat((double) abnormal / rows.size()).isBetween(0.1, 0.45);
  }

  @Test
  void patientsRecurAcrossMonthsAndSomeAreVeryOld() throws IOException {
    GeneratorOptions options = options(temp).hospitals(1).months(2).rowsPerFile(4_000).build();
    GenerationReport report = generate(options);

    Set<String> january = patients(options, report.files().get(0));
    Set<String> february = patients(options, report.files().get(1));
    Set<String> both = new HashSet<>(january);
    both.retainAll(february);
    assertThat(both.size()).isGreaterThan(january.size() / 4);
    assertThat(january.size()).isLessThanOrEqualTo(PatientPool.sizeFor(4_000));

    long veryOld =
        cleanRows(options, report.files().get(0)).stream()
            .filter(row -> 2024 - Integer.parseInt(row.fields().get("birth_year")) > 89)
            .count();
    assertThat(veryOld).isPositive();
  }

  @Test
  void timesExistLocallyAndResultsFollowCollection() throws IOException {
    // hospital 4 is in New York; March 2024 has the spring-forward gap on the 10th
    GeneratorOptions options =
        options(temp)
            .hospitals(4)
            .months(1)
            .start(YearMonth.of(2024, 3))
            .rowsPerFile(6_000)
            .build();
    GeneratedFile newYork = generate(options).files().get(3);
    ZoneId zone = ZoneId.of("America/New_York");
    GeneratedFileClassifier classifier =
        new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, newYork));

    List<Classified> rows = cleanRows(options, newYork);
    assertThat(rows).hasSize(6_000);
    for (Classified row : rows) {
      LocalDateTime collected = row.collectedAt();
      LocalDateTime resulted = classifier.parseTime(row.fields().get("resulted_at")).orElseThrow();
      assertThat(ZonedDateTime.of(resulted, zone).toLocalDateTime()).isEqualTo(resulted);
      assertThat(collected.getHour()).isBetween(6, 21);
      Duration turnaround =
          Duration.between(ZonedDateTime.of(collected, zone), ZonedDateTime.of(resulted, zone));
      assertThat(turnaround).isBetween(Duration.ofMinutes(10), Duration.ofHours(36));
      // inside the month in UTC as well
      assertThat(
              YearMonth.from(
                  ZonedDateTime.of(collected, zone).withZoneSameInstant(ZoneId.of("UTC"))))
          .isEqualTo(YearMonth.of(2024, 3));
    }
  }

  private static Set<String> patients(GeneratorOptions options, GeneratedFile file)
      throws IOException {
    Set<String> patients = new HashSet<>();
    for (Classified row : cleanRows(options, file)) {
      patients.add(row.fields().get("patient_id"));
    }
    return patients;
  }

  private static List<Classified> cleanRows(GeneratorOptions options, GeneratedFile file)
      throws IOException {
    GeneratedFileClassifier classifier =
        new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, file));
    return classifier.classify(file.path(), file.month()).stream()
        .filter(row -> row.outcome().equals(GeneratedFileClassifier.CLEAN))
        .toList();
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }
}
