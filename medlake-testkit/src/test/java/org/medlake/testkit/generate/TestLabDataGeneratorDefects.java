package org.medlake.testkit.generate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.testkit.generate.GeneratedFiles.generate;
import static org.medlake.testkit.generate.GeneratedFiles.options;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.testkit.generate.GeneratedFileClassifier.Classified;

class TestLabDataGeneratorDefects {
  @TempDir Path temp;

  @Test
  void reportedDefectsAreTheDefectiveRowsWritten() throws IOException {
    GeneratorOptions options = options(temp).rowsPerFile(3_000).dirtyFraction(0.2).build();
    GenerationReport report = generate(options);

    Map<String, Long> total = new TreeMap<>();
    for (GeneratedFile file : report.files()) {
      Map<String, Long> outcomes = outcomes(options, file);
      long clean = outcomes.getOrDefault(GeneratedFileClassifier.CLEAN, 0L);
      long filtered = outcomes.getOrDefault(GeneratedFileClassifier.FILTERED, 0L);
      outcomes.remove(GeneratedFileClassifier.CLEAN);
      outcomes.remove(GeneratedFileClassifier.FILTERED);

      assertThat(outcomes).as(file.path().toString()).isEqualTo(file.defects());
      assertThat(file.defectiveRows()).isEqualTo(600);
      assertThat(clean + filtered + file.defectiveRows()).isEqualTo(file.dataRows());
      outcomes.forEach((reason, count) -> total.merge(reason, count, Long::sum));
    }
    assertThat(report.defects()).isEqualTo(total);
    assertThat(report.defects().keySet())
        .containsExactlyInAnyOrder(
            "BAD_QUOTING",
            "COLLECTED_OUTSIDE_MONTH",
            "DUPLICATE_ROW",
            "ENCODING",
            "IMPLAUSIBLE_VALUE",
            "INVALID_COLLECTED_AT",
            "INVALID_TEST_CODE",
            "MISSING_COLLECTED_AT",
            "MISSING_PATIENT_ID",
            "MISSING_TEST_CODE",
            "RAGGED_ROW");
    // uniform over ten or eleven kinds per layout: about 300 of each over six files
    assertThat(report.defects().get("RAGGED_ROW")).isBetween(200L, 400L);
  }

  @Test
  void cleanFilesHaveOnlyValidRows() throws IOException {
    GeneratorOptions options = options(temp).rowsPerFile(5_000).build();
    GenerationReport report = generate(options);

    assertThat(report.defects()).isEmpty();
    for (GeneratedFile file : report.files()) {
      GeneratedFileClassifier classifier =
          new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, file));
      List<Classified> rows = classifier.classify(file.path(), file.month());
      List<String> problems = new ArrayList<>();
      for (Classified row : rows) {
        if (row.outcome().equals(GeneratedFileClassifier.CLEAN)) {
          problems.addAll(classifier.problemsOfCleanRow(row));
        } else if (!row.outcome().equals(GeneratedFileClassifier.FILTERED)) {
          problems.add(row.outcome());
        }
      }
      assertThat(problems).as(file.path().toString()).isEmpty();
      assertThat(file.defects()).isEmpty();
    }
  }

  @Test
  void cleanFilesExerciseQuotingComparatorsAndFilters() throws IOException {
    GeneratorOptions options = options(temp).rowsPerFile(5_000).months(1).build();
    GenerationReport report = generate(options);

    String iso = readText(report.files().get(0).path());
    String german = readText(report.files().get(1).path());
    long quotedWithDelimiter =
        iso.lines().filter(line -> line.matches(".*\"[^\"]*,[^\"]*\".*")).count();
    assertThat(quotedWithDelimiter).isGreaterThan(25);
    assertThat(german.lines().filter(line -> line.matches(".*\"[^\"]*;[^\"]*\".*")).count())
        .isPositive();
    assertThat(german).contains("\r\n").contains(";W;").containsPattern(";[0-9]+,[0-9]+;");
    assertThat(iso).containsPattern(",<0\\.[0-9]+,");

    GeneratedFile items = report.files().get(2);
    Map<String, Long> outcomes = outcomes(options, items);
    // about 5% vital-sign rows, dropped by the mapping's filter
    assertThat(outcomes.get(GeneratedFileClassifier.FILTERED)).isBetween(150L, 350L);
  }

  @Test
  void defectsInTinyFilesStillFollowTheRules() throws IOException {
    GeneratorOptions options =
        options(temp).rowsPerFile(3).dirtyFraction(1).months(1).seed(7).build();
    GenerationReport report = generate(options);

    for (GeneratedFile file : report.files()) {
      // the first row cannot be a duplicate, there is no earlier clean row
      assertThat(file.defectiveRows()).isEqualTo(3);
      assertThat(file.defects()).doesNotContainKey("DUPLICATE_ROW");
      Map<String, Long> outcomes = outcomes(options, file);
      assertThat(outcomes).isEqualTo(file.defects());
    }
  }

  private static Map<String, Long> outcomes(GeneratorOptions options, GeneratedFile file)
      throws IOException {
    GeneratedFileClassifier classifier =
        new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, file));
    return classifier.classify(file.path(), file.month()).stream()
        .collect(Collectors.groupingBy(Classified::outcome, TreeMap::new, Collectors.counting()));
  }

  private static String readText(Path file) throws IOException {
    return new String(Files.readAllBytes(file), UTF_8);
  }
}
