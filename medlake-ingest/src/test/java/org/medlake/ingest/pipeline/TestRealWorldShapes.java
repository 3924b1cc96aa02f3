package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.Lakehouse;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * A generated landing zone with every real-world shape (grades, ranges, titers, censored and free
 * text results, local codes without a standard code, glucose and creatinine in SI units at one
 * hospital, unit spellings, flag variants, a backfill of twenty years, a few defective rows) is
 * ingested, and what {@code lab_results} holds is compared with an independent computation from the
 * CSV files.
 *
 * <p>The computation is {@code real_world_expectations.py} (test resources), Python 3 with its
 * standard library only, run as a separate process; it imports nothing of medlake. It re-implements
 * from docs/sources.md the rules that decide what a stored row looks like: the row filter, value
 * maps and null values, the code dictionary, result kinds, unit spellings and the conversion to the
 * test's canonical unit (mass and substance per volume, through the catalogue's molar mass), and
 * abnormal flags. It does not re-implement the reject rules: the generator's report names each
 * file's defective lines and every other line is expected to be stored, which the pipeline's run
 * counts confirm file by file. Compared exactly (means to a relative 1e-9): per hospital, test
 * (LOINC code, or the local code of a row without one) and unit, the stored rows, their count per
 * value kind, and the count and mean of {@code value_numeric}; per test and canonical unit the
 * count and mean of {@code value_canonical}; per hospital the rows per abnormal flag and delta
 * flag. Without {@code python3} the test fails; it is never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestRealWorldShapes {
  private static final String SCRIPT = "real_world_expectations.py";
  private static final String CATALOG = "/org/medlake/ingest/lab-tests.csv";
  private static final double RELATIVE_TOLERANCE = 1e-9;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> KINDS =
      List.of("number", "censored", "range", "titer", "ordinal", "text");

  private Path directory;
  private MedlakeHome home;
  private GenerationReport report;
  private Map<Path, IngestRun> runs;
  private JsonNode expected;

  @BeforeAll
  void ingestAndComputeIndependently(@TempDir Path directory) throws IOException {
    this.directory = directory;
    home = MedlakeHome.open(directory.resolve("home"));
    report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(home.landing(), home.sources())
                .hospitals(3)
                .months(2)
                .rowsPerFile(2_500)
                .seed(23)
                .dirtyFraction(0.01)
                .realWorld()
                .backfillMonths(240)
                .resubmission()
                .build(),
            rows -> {});
    List<GeneratedFile> delivered =
        report.files().stream()
            .filter(file -> file.kind() != GeneratedFile.Kind.RESUBMISSION)
            .toList();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      runs =
          service
              .ingest(
                  delivered.stream()
                      .map(
                          file ->
                              new IngestService.Delivery(file.path(), file.source(), file.month()))
                      .toList())
              .stream()
              .collect(
                  Collectors.toMap(
                      run -> home.root().resolve(run.sourceFile()).normalize(),
                      Function.identity()));
    }
    expected = expectations(delivered);
  }

  @Test
  void everyFileStoresTheRowsThatAreNotDefective() {
    assertThat(runs).hasSize(3 * 2 + 1);
    for (JsonNode file : expected.get("files")) {
      IngestRun run = runs.get(Path.of(file.get("path").asText()).toAbsolutePath().normalize());
      assertThat(run.status()).as(run.sourceFile()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rowsAccepted())
          .as(run.sourceFile())
          .isEqualTo(file.get("stored_rows").asLong());
      assertThat(run.rowsFiltered())
          .as(run.sourceFile())
          .isEqualTo(file.get("filtered_rows").asLong());
    }
    for (GeneratedFile file : report.files()) {
      IngestRun run = runs.get(file.path().toAbsolutePath().normalize());
      if (run != null) {
        assertThat(run.rejectedByReason()).as(run.sourceFile()).isEqualTo(file.defects());
      }
    }
  }

  @Test
  void aFileOfRealWorldShapeKeepsAtLeast98PercentOfItsRows() {
    for (IngestRun run : runs.values()) {
      assertThat((double) run.rowsAccepted() / run.rowsRead())
          .as(run.sourceFile())
          .isGreaterThanOrEqualTo(0.98);
    }
  }

  @Test
  void countsAndMeansPerHospitalTestAndUnitMatch() {
    String sql =
        "SELECT hospital_id, coalesce(test_code, 'local:' || local_code), coalesce(unit, ''), count(*), "
            + KINDS.stream()
                .map(kind -> "count(*) FILTER (WHERE value_kind = '" + kind + "')")
                .collect(Collectors.joining(", "))
            + ", count(value_numeric), avg(value_numeric) FROM t GROUP BY ALL";
    Map<String, List<String>> stored = stored(sql, 3);
    Map<String, List<String>> computed = new TreeMap<>();
    for (JsonNode group : expected.get("groups")) {
      List<String> values = new ArrayList<>();
      values.add(group.get("rows").asText());
      KINDS.forEach(kind -> values.add(group.get(kind).asText()));
      values.add(group.get("numeric_rows").asText());
      values.add(group.get("numeric_mean").isNull() ? null : group.get("numeric_mean").asText());
      computed.put(
          key(
              group.get("hospital_id").asText(),
              group.get("test_key").asText(),
              group.get("unit").asText()),
          values);
    }
    assertSame(stored, computed);
    // the shapes are all there
    assertThat(computed)
        .containsKeys(
            "H002|2345-7|mmol/L",
            "H001|2345-7|mg/dL",
            "H003|local:K8001|",
            "H003|local:L501|ug/g",
            "H001|5048-4|",
            "H001|13945-1|/[HPF]");
  }

  @Test
  void countsAndMeansPerTestAndCanonicalUnitMatch() {
    Map<String, List<String>> stored =
        stored(
            "SELECT coalesce(test_code, 'local:' || local_code), unit_canonical, count(*), avg(value_canonical) FROM t"
                + " WHERE value_canonical IS NOT NULL GROUP BY ALL",
            2);
    Map<String, List<String>> computed = new TreeMap<>();
    for (JsonNode group : expected.get("canonical")) {
      computed.put(
          key(group.get("test_key").asText(), group.get("unit_canonical").asText()),
          List.of(group.get("rows").asText(), group.get("mean").asText()));
    }
    assertSame(stored, computed);
    // glucose of the hospital reporting mmol/L and of those reporting mg/dL meet in one mean
    assertThat(computed).containsKeys("2345-7|mg/dL", "2160-0|mg/dL");
  }

  @Test
  void flagsPerHospitalMatch() {
    Map<String, List<String>> stored =
        stored(
            "SELECT hospital_id, coalesce(abnormal_flag, ''), coalesce(delta_flag, ''), count(*) FROM t GROUP BY ALL",
            3);
    Map<String, List<String>> computed = new TreeMap<>();
    for (JsonNode group : expected.get("flags")) {
      computed.put(
          key(
              group.get("hospital_id").asText(),
              group.get("abnormal_flag").asText(),
              group.get("delta_flag").asText()),
          List.of(group.get("rows").asText()));
    }
    assertSame(stored, computed);
    // delta flags everywhere, no flag at all where the mapping does not turn an empty flag into N
    assertThat(computed)
        .containsKeys("H001||Y", "H002||Y", "H003||Y", "H001||", "H003||")
        .doesNotContainKey("H002||");
  }

  @Test
  void theBackfillSpansTwentyYearsOfOneHospital() {
    GeneratedFile backfill = report.file(GeneratedFile.Kind.BACKFILL).orElseThrow();
    IngestRun run = runs.get(backfill.path().toAbsolutePath().normalize());
    assertThat(run.sourceId()).isEqualTo("h001-backfill");
    assertThat(
            stored(
                    "SELECT count(DISTINCT date_trunc('month', collected_at)), min(collected_at) < TIMESTAMP '2004-02-01',"
                        + " max(collected_at) >= TIMESTAMP '2023-12-01' FROM t WHERE ingest_run_id = '"
                        + run.id()
                        + "'",
                    0)
                .keySet())
        .containsExactly("240|true|true");
  }

  /**
   * The broken resubmission of H001's first month, ingested last: every row is rejected, so the
   * fail-safe holds the run and the month keeps the rows of its first delivery.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void theBrokenResubmissionIsHeldAndTheMonthKeepsItsRows() {
    GeneratedFile resubmission = report.file(GeneratedFile.Kind.RESUBMISSION).orElseThrow();
    String monthRows =
        "SELECT count(*) FROM t WHERE hospital_id = '"
            + resubmission.hospitalId()
            + "' AND source_id = '"
            + resubmission.source()
            + "'";
    Map<String, List<String>> before = stored(monthRows, 0);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      IngestRun run =
          service.ingest(
              new IngestService.Delivery(
                  resubmission.path(), resubmission.source(), resubmission.month()));
      assertThat(run.status()).as(run.message()).isEqualTo(org.medlake.core.ledger.RunStatus.HELD);
      assertThat(run.rowsAccepted()).isZero();
      assertThat(run.rowsRejected()).isEqualTo(resubmission.dataRows());
      assertThat(run.rejectedByReason()).isEqualTo(resubmission.defects());
    }
    assertThat(stored(monthRows, 0)).isEqualTo(before).isNotEqualTo(Map.of("0", List.of()));
  }

  /** Rows keyed by their first {@code keyColumns} columns joined with {@code |}. */
  private Map<String, List<String>> stored(String sql, int keyColumns) {
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Map<String, List<String>> rows = new TreeMap<>();
      for (List<String> row : LakeReader.query(lakehouse.labResults(), home.temporary(), sql)) {
        int split = keyColumns == 0 ? row.size() : keyColumns;
        rows.put(
            key(row.subList(0, split).toArray(String[]::new)),
            new ArrayList<>(row.subList(split, row.size())));
      }
      return rows;
    }
  }

  private static String key(String... parts) {
    return String.join("|", parts);
  }

  /** Equal keys and counts; the last value of each row, a mean, equal to a relative 1e-9. */
  private static void assertSame(
      Map<String, List<String>> stored, Map<String, List<String>> computed) {
    assertThat(stored.keySet()).containsExactlyElementsOf(computed.keySet());
    computed.forEach(
        (key, values) -> {
          List<String> actual = stored.get(key);
          int mean = values.size() - 1;
          assertThat(actual.subList(0, mean)).as(key).isEqualTo(values.subList(0, mean));
          if (values.get(mean) == null) {
            assertThat(actual.get(mean)).as(key).isNull();
          } else {
            double expectedMean = Double.parseDouble(values.get(mean));
            double actualMean = Double.parseDouble(actual.get(mean));
            assertThat(Math.abs(actualMean - expectedMean))
                .as(key + ": mean " + actualMean + " against " + expectedMean)
                .isLessThanOrEqualTo(
                    RELATIVE_TOLERANCE * Math.max(Math.abs(expectedMean), Double.MIN_NORMAL));
          }
        });
  }

  /** Runs the Python script over the delivered files. */
  private JsonNode expectations(List<GeneratedFile> delivered) throws IOException {
    Path catalog = directory.resolve("lab-tests.csv");
    try (InputStream input = TestRealWorldShapes.class.getResourceAsStream(CATALOG)) {
      Files.copy(input, catalog);
    }
    ObjectNode job = JSON.createObjectNode();
    job.put("catalog", catalog.toString());
    ArrayNode deliveries = job.putArray("deliveries");
    YAMLMapper yaml = new YAMLMapper();
    for (GeneratedFile file : delivered) {
      Path mappingFile = home.sources().resolve(file.source() + ".yaml");
      JsonNode mapping = yaml.readTree(mappingFile.toFile());
      ObjectNode delivery = deliveries.addObject();
      delivery.put("path", file.path().toString());
      delivery.put("hospital_id", file.hospitalId());
      delivery.set("mapping", mapping);
      JsonNode dictionary = mapping.path("code-lookup").path("dictionary");
      if (dictionary.isTextual()) {
        delivery.put("dictionary", home.sources().resolve(dictionary.asText()).toString());
      } else {
        delivery.putNull("dictionary");
      }
      ArrayNode lines = delivery.putArray("defective_lines");
      file.defectiveLines().stream().forEach(lines::add);
    }
    Path jobFile = directory.resolve("job.json");
    Path output = directory.resolve("expected.json");
    JSON.writeValue(jobFile.toFile(), job);
    runPython(script(), jobFile, output);
    return JSON.readTree(output.toFile());
  }

  private static Path script() {
    try {
      return Path.of(TestRealWorldShapes.class.getResource(SCRIPT).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void runPython(Path script, Path job, Path output) throws IOException {
    Path log = directory.resolve("python.log");
    Process process;
    try {
      process =
          new ProcessBuilder("python3", script.toString(), job.toString(), output.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "This test needs python3 (standard library only) on the PATH to compute the expected values"
              + " independently; it could not be started: "
              + e.getMessage(),
          e);
    }
    int exitCode;
    try {
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (exitCode != 0) {
      throw new AssertionError(
          SCRIPT
              + " failed with exit code "
              + exitCode
              + ":\n"
              + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
