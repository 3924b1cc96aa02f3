package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With MEDLAKE_LOG_FORMAT=json every log line on standard error is one JSON object. */
class StructuredLogsIT {
  @TempDir Path directory;

  @Test
  void logsAreJsonLinesWhenAsked() throws Exception {
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
                    "200")
                .exitCode())
        .isZero();
    assertThat(Cli.run(home, "ingest", landing.toString()).exitCode()).isZero();

    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classpath,
            Main.class.getName(),
            "--home",
            home.toString(),
            "maintain");
    builder.environment().put("MEDLAKE_LOG_FORMAT", "json");
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    assertThat(out).isNotEmpty();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    for (String line : err.lines().toList()) {
      events.add(json.readTree(line));
    }
    assertThat(events)
        .anySatisfy(
            event -> {
              assertThat(event.get("level").asText()).isEqualTo("INFO");
              assertThat(event.get("loggerName").asText())
                  .isEqualTo("org.medlake.ingest.maintenance.TableMaintenance");
              assertThat(event.get("formattedMessage").asText())
                  .startsWith("Maintained medlake.medlake.lab_results");
              assertThat(event.has("timestamp")).isTrue();
            });
  }
}
