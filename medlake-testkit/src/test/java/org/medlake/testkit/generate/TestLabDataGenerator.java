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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ValidationException;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.core.validation.LoincCheckDigit;

class TestLabDataGenerator {
  @TempDir Path temp;

  @Test
  void sameOptionsGiveIdenticalBytes() {
    generate(options(temp.resolve("first")).dirtyFraction(0.1).manifest().build());
    generate(options(temp.resolve("second")).dirtyFraction(0.1).manifest().build());

    Map<String, byte[]> first = contents(temp.resolve("first"));
    assertThat(first).hasSize(3 * 2 + 3 + 1 + 1);
    assertThat(contents(temp.resolve("second"))).containsOnlyKeys(first.keySet());
    first.forEach(
        (path, bytes) ->
            assertThat(contents(temp.resolve("second")).get(path)).as(path).isEqualTo(bytes));
  }

  @Test
  void sameOptionsGiveIdenticalGzipBytes() throws IOException {
    generate(options(temp.resolve("first")).gzip().build());
    generate(options(temp.resolve("second")).gzip().build());
    generate(options(temp.resolve("plain")).build());

    Map<String, byte[]> first = contents(temp.resolve("first"));
    Map<String, byte[]> second = contents(temp.resolve("second"));
    assertThat(first.keySet())
        .filteredOn(path -> path.startsWith("landing/"))
        .allMatch(path -> path.endsWith(".csv.gz"));
    first.forEach((path, bytes) -> assertThat(second.get(path)).as(path).isEqualTo(bytes));
    // compressed content equals the plain file
    Path plain = temp.resolve("plain/landing/h001/2024-01/lab_results_2024-01.csv");
    Path gzip = temp.resolve("first/landing/h001/2024-01/lab_results_2024-01.csv.gz");
    assertThat(GeneratedFileClassifier.lines(gzip))
        .hasSameSizeAs(GeneratedFileClassifier.lines(plain));
    assertThat(Files.readAllBytes(gzip)).startsWith(0x1f, 0x8b);
  }

  @Test
  void differentSeedGivesDifferentBytes() {
    generate(options(temp.resolve("first")).build());
    generate(options(temp.resolve("second")).seed(43).build());

    Map<String, byte[]> first = contents(temp.resolve("first/landing"));
    Map<String, byte[]> second = contents(temp.resolve("second/landing"));
    assertThat(second).containsOnlyKeys(first.keySet());
    first.forEach((path, bytes) -> assertThat(second.get(path)).as(path).isNotEqualTo(bytes));
  }

  @Test
  void writesOneFilePerHospitalAndMonth() {
    GenerationReport report =
        generate(
            options(temp)
                .hospitals(4)
                .months(3)
                .start(YearMonth.of(2023, 11))
                .rowsPerFile(500)
                .build());

    assertThat(report.files()).hasSize(12);
    assertThat(report.rows()).isEqualTo(12 * 500);
    assertThat(report.defects()).isEmpty();
    assertThat(report.files())
        .extracting(file -> ManifestWriter.relativePath(temp.resolve("landing"), file.path()))
        .startsWith(
            "h001/2023-11/lab_results_2023-11.csv",
            "h001/2023-12/lab_results_2023-12.csv",
            "h001/2024-01/lab_results_2024-01.csv",
            "h002/2023-11/Laborbefunde_2023_11.csv")
        .contains("h003/2024-01/export_items_202401.csv", "h004/2024-01/lab_results_2024-01.csv");
    assertThat(report.files().get(3).hospitalId()).isEqualTo("H002");
    assertThat(report.files().get(3).source()).isEqualTo("h002");
    assertThat(report.files()).allMatch(file -> Files.isRegularFile(file.path()));
  }

  @Test
  void mappingsNameOnlyColumnsOfTheHeader() throws IOException {
    GeneratorOptions options = options(temp).hospitals(3).months(1).build();
    GenerationReport report = generate(options);

    for (GeneratedFile file : report.files()) {
      GeneratedFileClassifier classifier =
          new GeneratedFileClassifier(GeneratedFiles.mappingOf(options, file));
      Map<String, Object> mapping = classifier.mapping();
      List<String> header =
          classifier
              .split(new String(GeneratedFileClassifier.lines(file.path()).get(0), UTF_8))
              .orElseThrow();

      assertThat(mapping.get("source")).isEqualTo(file.source());
      assertThat(mapping.get("hospital-id")).isEqualTo(file.hospitalId());
      assertThat(ZoneId.of((String) mapping.get("time-zone"))).isNotNull();
      @SuppressWarnings("unchecked")
      Map<String, String> columns = (Map<String, String>) mapping.get("columns");
      assertThat(header).containsAll(columns.values());
      assertThat(columns.keySet()).allMatch(key -> Field.fromKey(key).isPresent());
      @SuppressWarnings("unchecked")
      Map<String, Object> filter = (Map<String, Object>) mapping.get("filter");
      if (filter != null) {
        assertThat(header).contains((String) filter.get("column"));
      }
    }
  }

  @Test
  void itemsLayoutWritesADictionaryOfValidCodes() throws IOException {
    GeneratorOptions options = options(temp).months(1).build();
    generate(options);

    List<String> dictionary =
        Files.readAllLines(options.sourcesDir().resolve("h003-items.csv"), UTF_8);
    assertThat(dictionary.get(0)).isEqualTo("local_code,test_code,test_name,unit");
    assertThat(dictionary).hasSizeGreaterThan(40);
    List<String> codes = new ArrayList<>();
    for (String line : dictionary.subList(1, dictionary.size())) {
      codes.add(line.split(",")[1]);
    }
    assertThat(codes).allMatch(LoincCheckDigit::isValid).doesNotHaveDuplicates();
    assertThat(Files.readString(options.sourcesDir().resolve("h003.yaml")))
        .contains("code-lookup: {dictionary: h003-items.csv}")
        .contains("filter: {column: category, keep: [LAB]}");
  }

  @Test
  void examplesAreWhatTheGeneratorWrites() {
    GeneratorOptions options = options(temp).months(1).rowsPerFile(100).build();
    generate(options);

    Path examples = Path.of("..", "examples", "sources");
    assertThat(contents(examples)).containsOnlyKeys(contents(options.sourcesDir()).keySet());
    contents(options.sourcesDir())
        .forEach(
            (path, bytes) -> assertThat(contents(examples).get(path)).as(path).isEqualTo(bytes));
  }

  @Test
  void manifestListsFilesWithRowAndDefectCounts() throws IOException {
    GeneratorOptions options = options(temp).dirtyFraction(0.05).manifest().build();
    GenerationReport report = generate(options);

    JsonNode manifest =
        new ObjectMapper().readTree(options.outDir().resolve("manifest.json").toFile());
    assertThat(manifest.get("seed").asLong()).isEqualTo(42);
    assertThat(manifest.get("files")).hasSize(6);
    JsonNode first = manifest.get("files").get(0);
    assertThat(first.get("path").asText()).isEqualTo("h001/2024-01/lab_results_2024-01.csv");
    assertThat(first.get("dataRows").asLong()).isEqualTo(2_000);
    assertThat(first.get("defectiveRows").asLong()).isEqualTo(100);
    assertThat(manifest.at("/totals/dataRows").asLong()).isEqualTo(report.rows());
    assertThat(manifest.at("/totals/defectiveRows").asLong()).isEqualTo(600);
    report
        .defects()
        .forEach(
            (reason, count) ->
                assertThat(manifest.at("/totals/defects/" + reason).asLong()).isEqualTo(count));
  }

  @Test
  void reportsProgressUpToAllRows() {
    List<Long> progress = new ArrayList<>();
    LabDataGenerator.generate(options(temp).rowsPerFile(25_000).months(1).build(), progress::add);

    assertThat(progress).isSorted().contains(10_000L, 25_000L).endsWith(75_000L);
  }

  @Test
  void rejectsInvalidOptions() {
    assertThatThrownBy(() -> options(temp).hospitals(0).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("Hospitals must be between 1 and 999, got 0");
    assertThatThrownBy(() -> options(temp).dirtyFraction(1.5).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("Dirty fraction must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> options(temp).rowsPerFile(0).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("Rows per file must be at least 1, got 0");
  }

  @Test
  void defaultsMatchTheDocumentedOnes() {
    GeneratorOptions options =
        GeneratorOptions.defaults(temp.resolve("out"), temp.resolve("sources"));

    assertThat(options.hospitals()).isEqualTo(3);
    assertThat(options.months()).isEqualTo(2);
    assertThat(options.start()).isEqualTo(YearMonth.of(2024, 1));
    assertThat(options.rowsPerFile()).isEqualTo(10_000);
    assertThat(options.seed()).isEqualTo(42);
    assertThat(options.dirtyFraction()).isZero();
    assertThat(options.gzip()).isFalse();
    assertThat(options.manifest()).isFalse();
  }
}
