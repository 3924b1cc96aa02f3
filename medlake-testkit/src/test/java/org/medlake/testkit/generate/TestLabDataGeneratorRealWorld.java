package org.medlake.testkit.generate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medlake.testkit.generate.GeneratedFiles.contents;
import static org.medlake.testkit.generate.GeneratedFiles.generate;
import static org.medlake.testkit.generate.GeneratedFiles.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ValidationException;
import org.medlake.testkit.generate.GeneratedFile.Kind;
import org.medlake.testkit.generate.GeneratedFileClassifier.Classified;

/** Rows of real-world shape, the backfill and the broken resubmission. */
class TestLabDataGeneratorRealWorld {
  @TempDir Path temp;

  private static GeneratorOptions.Builder realWorld(Path root) {
    return options(root).rowsPerFile(4_000).realWorld();
  }

  @Test
  void sameOptionsGiveIdenticalBytes() {
    generate(
        realWorld(temp.resolve("first"))
            .dirtyFraction(0.05)
            .backfillMonths(24)
            .resubmission()
            .gzip()
            .manifest()
            .build());
    generate(
        realWorld(temp.resolve("second"))
            .dirtyFraction(0.05)
            .backfillMonths(24)
            .resubmission()
            .gzip()
            .manifest()
            .build());

    Map<String, byte[]> first = contents(temp.resolve("first"));
    Map<String, byte[]> second = contents(temp.resolve("second"));
    // six monthly files, the backfill, the resubmission, four mappings, the dictionary, the
    // manifest
    assertThat(first).hasSize(6 + 2 + 4 + 1 + 1);
    assertThat(second).containsOnlyKeys(first.keySet());
    first.forEach((path, bytes) -> assertThat(second.get(path)).as(path).isEqualTo(bytes));
  }

  @Test
  void specialFilesLeaveTheMonthlyFilesAsTheyWere() {
    generate(options(temp.resolve("plain")).build());
    generate(options(temp.resolve("special")).backfillMonths(12).resubmission().build());

    Map<String, byte[]> special = contents(temp.resolve("special/landing"));
    contents(temp.resolve("plain/landing"))
        .forEach((path, bytes) -> assertThat(special.get(path)).as(path).isEqualTo(bytes));
    assertThat(special).hasSize(6 + 2);
  }

  @Test
  void shapedRowsAreValidAndTheReportNamesEveryDefectiveLine() throws IOException {
    GeneratorOptions options = realWorld(temp).dirtyFraction(0.05).build();
    GenerationReport report = generate(options);

    for (GeneratedFile file : report.files()) {
      GeneratedFileClassifier classifier =
          new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, file));
      List<Classified> rows = classifier.classify(file.path(), file.month());
      Map<String, Long> defects = new TreeMap<>();
      List<Long> defectiveLines = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (int index = 0; index < rows.size(); index++) {
        Classified row = rows.get(index);
        switch (row.outcome()) {
          case GeneratedFileClassifier.CLEAN -> problems.addAll(classifier.problemsOfCleanRow(row));
          case GeneratedFileClassifier.FILTERED -> {}
          default -> {
            defects.merge(row.outcome(), 1L, Long::sum);
            defectiveLines.add(index + 2L);
          }
        }
      }
      assertThat(problems).as(file.path().toString()).isEmpty();
      assertThat(defects).as(file.path().toString()).isEqualTo(file.defects());
      assertThat(file.defectiveLines().stream().boxed().toList()).isEqualTo(defectiveLines);
      assertThat(file.defectiveRows()).isEqualTo(200);
    }
    Set<String> kinds =
        Stream.of(RealWorldShapes.Kind.values()).map(Enum::name).collect(Collectors.toSet());
    assertThat(report.shapes().keySet())
        .containsAll(kinds)
        .contains(RealWorldShapes.CONVERTED_UNIT);
    // shaped rows replace about 8 % of the ordinary rows
    long shaped =
        report.shapes().entrySet().stream()
            .filter(entry -> kinds.contains(entry.getKey()))
            .mapToLong(Map.Entry::getValue)
            .sum();
    assertThat(shaped).isBetween(1_500L, 2_300L);
    assertThat(report.files().get(0).shapes())
        .doesNotContainKeys("UNMAPPED_CODE", "UNKNOWN_CODE", "CONVERTED_UNIT");
    assertThat(report.files().get(2).shapes()).containsKey("CONVERTED_UNIT");
    assertThat(report.files().get(4).shapes()).containsKeys("UNMAPPED_CODE", "UNKNOWN_CODE");
  }

  @Test
  void resultsUnitsAndFlagsAreWrittenAsLaboratoriesWriteThem() throws IOException {
    GeneratorOptions options = realWorld(temp).months(1).build();
    GenerationReport report = generate(options);

    String iso = Files.readString(report.files().get(0).path(), UTF_8);
    assertThat(iso)
        .contains(",TRACE,", ",NEG,", ",0-2,", ",>1000,", ",See comments,", ",delta,")
        .containsPattern(",[1-3]\\+,")
        .containsPattern(",[0-9]+-[0-9]+,/\\[HPF\\],")
        .containsPattern(",<?1:[0-9]+,,")
        .containsPattern(",\"(Hemolyzed, please repeat|RBC=3-5/HPF, WBC=0-2/HPF)\",")
        .containsPattern(",(MG/DL|K/uL|g/dl|mmol/l),")
        // flag codes in lower case, words, and no flag at all
        .containsPattern(",(n|l|h|ll|hh|a),[0-9]{4}-")
        .containsPattern(",(Normal|Low|High|Critical low|Critical high|Abnormal),[0-9]{4}-")
        .containsPattern(",,[0-9]{4}-");

    List<String> german = Files.readAllLines(report.files().get(1).path(), UTF_8);
    List<String> glucose = german.stream().filter(line -> line.contains(";2345-7;")).toList();
    List<String> creatinine = german.stream().filter(line -> line.contains(";2160-0;")).toList();
    assertThat(glucose)
        .isNotEmpty()
        .allMatch(line -> line.matches(".*;(mmol/L|mmol/l);3,9;5,5;.*"));
    assertThat(creatinine)
        .isNotEmpty()
        .allMatch(line -> line.matches(".*;(umol/L|umol/l);(45;84|59;103);.*"));
    assertThat(String.join("\n", german)).contains(";\"Specimen clotted; recollect\";", ";delta;");

    List<String> dictionary =
        Files.readAllLines(options.sourcesDir().resolve("h003-items.csv"), UTF_8);
    assertThat(dictionary)
        .contains(
            "K8001,,Hemolysis index,",
            "K3023,5048-4,Nuclear Ab [Titer] in Serum by Immunofluorescence,");
    String items = Files.readString(report.files().get(2).path(), UTF_8);
    assertThat(items)
        .contains(",K8003,Specimen comment,", ",K8001,Hemolysis index,", ",delta,")
        .containsPattern(
            ",L50[1-3],(Calprotectin \\(send-out\\)|Anti-Xa activity|Culture comment),")
        .containsPattern(",(NORMAL|LOW|HIGH|CRITICAL LOW|CRITICAL HIGH|ABNORMAL),");
    assertThat(dictionary).noneMatch(line -> line.startsWith("L50"));
    assertThat(Files.readString(options.sourcesDir().resolve("h003.yaml")))
        .contains("  local-name: item_name\n");
  }

  @Test
  void backfillSpansItsMonthsThroughItsOwnSource() throws IOException {
    GeneratorOptions options =
        options(temp).months(1).rowsPerFile(1_200).backfillMonths(600).manifest().build();
    GenerationReport report = generate(options);

    GeneratedFile backfill = report.file(Kind.BACKFILL).orElseThrow();
    assertThat(backfill.source()).isEqualTo("h001-backfill");
    assertThat(backfill.hospitalId()).isEqualTo("H001");
    assertThat(backfill.month()).isEqualTo(YearMonth.of(2023, 12));
    assertThat(ManifestWriter.relativePath(options.outDir(), backfill.path()))
        .isEqualTo("h001-backfill/2023-12/lab_results_backfill_1974-01_2023-12.csv");
    assertThat(backfill.dataRows()).isEqualTo(1_200);
    assertThat(backfill.defects()).isEmpty();
    String mapping = Files.readString(options.sourcesDir().resolve("h001-backfill.yaml"));
    assertThat(mapping)
        .contains("source: h001-backfill\n", "hospital-id: H001\n", "cadence: none\n")
        .endsWith("rules: {disabled: [collected-at-in-month]}\n");

    GeneratedFileClassifier classifier =
        new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, backfill));
    List<Classified> rows = classifier.classify(backfill.path(), backfill.month());
    assertThat(rows).extracting(Classified::outcome).containsOnly(GeneratedFileClassifier.CLEAN);
    assertThat(rows).flatExtracting(classifier::problemsOfCleanRow).isEmpty();
    TreeSet<YearMonth> months =
        rows.stream()
            .map(row -> YearMonth.from(row.collectedAt()))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(months).hasSize(600);
    assertThat(months.first()).isEqualTo(YearMonth.of(1974, 1));
    assertThat(months.last()).isEqualTo(YearMonth.of(2023, 12));

    JsonNode manifest =
        new ObjectMapper().readTree(options.outDir().resolve("manifest.json").toFile());
    assertThat(manifest.get("backfillMonths").asInt()).isEqualTo(600);
    JsonNode files = manifest.get("files");
    assertThat(files.get(files.size() - 1).get("kind").asText()).isEqualTo("backfill");
    assertThat(files.get(0).has("kind")).isFalse();
  }

  @Test
  void resubmissionIsASecondDeliveryOfTheFirstMonthWhoseEveryRowIsRejected() throws IOException {
    GeneratorOptions options = realWorld(temp).months(1).rowsPerFile(500).resubmission().build();
    GenerationReport report = generate(options);

    GeneratedFile first = report.files().get(0);
    GeneratedFile resubmission = report.file(Kind.RESUBMISSION).orElseThrow();
    assertThat(report.files()).last().isEqualTo(resubmission);
    assertThat(resubmission.hospitalId()).isEqualTo(first.hospitalId());
    assertThat(resubmission.source()).isEqualTo(first.source());
    assertThat(resubmission.month()).isEqualTo(first.month());
    assertThat(resubmission.path().getParent()).isEqualTo(first.path().getParent());
    // a directory is ingested in path order: the resubmission comes second
    assertThat(resubmission.path().toString())
        .isGreaterThan(first.path().toString())
        .endsWith("lab_results_2024-01_resubmitted.csv");
    assertThat(resubmission.defects()).containsExactly(Map.entry("INVALID_COLLECTED_AT", 500L));
    assertThat(resubmission.defectiveLines().size()).isEqualTo(500);

    GeneratedFileClassifier classifier =
        new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, resubmission));
    assertThat(classifier.classify(resubmission.path(), resubmission.month()))
        .extracting(Classified::outcome)
        .containsOnly("INVALID_COLLECTED_AT")
        .hasSize(500);
  }

  @Test
  void rejectsInvalidBackfillMonths() {
    assertThatThrownBy(() -> options(temp).backfillMonths(1201).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("Backfill months must be between 0 and 1200, got 1201");
  }
}
