package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** doctor, completeness and maintain: exit codes and JSON a scheduler can act on. */
class TestOperationsCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void completenessNamesTheHospitalsThatDidNotDeliverAndMaintainKeepsTheAnswers() throws Exception {
    Path home = directory.resolve("home");
    Path landing = directory.resolve("landing");
    assertThat(
            Cli.run(
                    home,
                    "generate",
                    "--out",
                    landing.toString(),
                    "--hospitals",
                    "3",
                    "--months",
                    "2",
                    "--start",
                    "2025-01",
                    "--rows-per-file",
                    "800",
                    "--seed",
                    "4")
                .exitCode())
        .isZero();
    // one hospital delivers February late: not there yet
    List<Path> delivered = new ArrayList<>();
    try (var files = Files.walk(landing)) {
      files
          .filter(Files::isRegularFile)
          .filter(
              file -> !(file.toString().contains("2025-02") && file.toString().contains("h003")))
          .forEach(delivered::add);
    }
    Cli.Result ingest = Cli.run(home, concat("ingest", delivered));
    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    // a one-off extract (no cadence) that delivered nothing for these months is never missing
    Files.writeString(
        home.resolve("sources").resolve("study.yaml"),
        Files.readString(home.resolve("sources").resolve("h001.yaml"))
            .replace("source: h001", "source: study")
            .replace("hospital-id: H001", "hospital-id: H009")
            .replace("cadence: monthly\n", ""));

    Cli.Result january = Cli.run(home, "completeness", "--month", "2025-01", "--json");
    assertThat(january.exitCode()).isZero();
    assertThat(JSON.readTree(january.out())).isEmpty();
    Cli.Result february = Cli.run(home, "completeness", "--month", "2025-02", "--json");
    assertThat(february.exitCode()).isEqualTo(1);
    JsonNode missing = JSON.readTree(february.out());
    assertThat(missing).hasSize(1);
    assertThat(missing.get(0).get("source_id").asText()).isEqualTo("h003");
    assertThat(missing.get(0).get("month").asText()).isEqualTo("2025-02");
    // where runs are looked at: a warning per missing hospital on stderr, the JSON listing
    // unchanged
    Cli.Result runs = Cli.run(home, "runs", "--month", "2025-02", "--json");
    assertThat(runs.exitCode()).isZero();
    assertThat(JSON.readTree(runs.out())).hasSize(delivered.size());
    assertThat(runs.err())
        .isEqualTo(
            "medlake: warning: hospital H003 (source h003) has not delivered for 2025-02"
                + System.lineSeparator());
    assertThat(Cli.run(home, "runs", "--month", "2025-01").err()).isEmpty();
    assertThat(
            JSON.readTree(Cli.run(home, "runs", "--missing", "--month", "2025-02", "--json").out()))
        .isEqualTo(missing);

    String query =
        "SELECT hospital_id, count(*) AS n, count(DISTINCT patient_key) AS p FROM lab_results GROUP BY ALL ORDER BY ALL";
    String before = Cli.run(home, "sql", query, "--json").out();
    Cli.Result maintain = Cli.run(home, "maintain", "--json");
    assertThat(maintain.exitCode()).as(maintain.err()).isZero();
    JsonNode reports = JSON.readTree(maintain.out());
    assertThat(reports.get(0).get("table").asText()).endsWith("lab_results");
    assertThat(reports.get(0).get("manifests_after").asInt()).isEqualTo(1);
    assertThat(JSON.readTree(Cli.run(home, "sql", query, "--json").out()).get("rows"))
        .isEqualTo(JSON.readTree(before).get("rows"));
  }

  @Test
  void doctorPassesAHealthyHomeAndFailsAKeyOthersCanRead() throws Exception {
    Path home = directory.resolve("home");
    Path landing = directory.resolve("landing");
    assertThat(
            Cli.run(
                    home,
                    "generate",
                    "--out",
                    landing.toString(),
                    "--hospitals",
                    "1",
                    "--months",
                    "1",
                    "--rows-per-file",
                    "300")
                .exitCode())
        .isZero();
    assertThat(Cli.run(home, "ingest", landing.toString()).exitCode()).isZero();

    Cli.Result healthy = Cli.run(home, "doctor", "--json");
    JsonNode checks = JSON.readTree(healthy.out());
    assertThat(healthy.exitCode()).as(healthy.out()).isZero();
    assertThat(checks)
        .extracting(check -> check.get("check").asText())
        .contains(
            "java",
            "configuration",
            "versions",
            "disk space",
            "catalog",
            "platform database",
            "pseudonym key",
            "writable warehouse");
    assertThat(checks)
        .allSatisfy(check -> assertThat(check.get("status").asText()).isNotEqualTo("FAIL"));

    Files.setPosixFilePermissions(
        home.resolve("pseudonym.key"), PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result unsafe = Cli.run(home, "doctor", "--json");
    assertThat(unsafe.exitCode()).isEqualTo(1);
    JsonNode key = null;
    for (JsonNode check : JSON.readTree(unsafe.out())) {
      if (check.get("check").asText().equals("pseudonym key")) {
        key = check;
      }
    }
    assertThat(key).isNotNull();
    assertThat(key.get("status").asText()).isEqualTo("FAIL");
    assertThat(key.get("detail").asText()).contains("chmod 600");
  }

  private static String[] concat(String command, List<Path> paths) {
    List<String> arguments = new ArrayList<>(List.of(command));
    paths.forEach(path -> arguments.add(path.toString()));
    return arguments.toArray(String[]::new);
  }
}
