package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.Environment;

/** `medlake config` prints every key's effective value and origin, secrets only as set or not. */
class TestConfigCommand {
  @TempDir Path directory;

  @Test
  void printsEachValueWithItsOriginAndMasksSecrets() throws Exception {
    Path home = directory.resolve("home");
    Files.createDirectories(home);
    Files.writeString(
        home.resolve("medlake.yaml"),
        """
        server:
          session-hours: 4
        platform:
          jdbc-url: jdbc:postgresql://db:5432/medlake?password=inline-secret
        """);
    Environment environment =
        Environment.of(
            Map.of(
                "MEDLAKE_SERVER_PORT",
                "9001",
                "MEDLAKE_PLATFORM_PASSWORD",
                "platform-secret",
                "MEDLAKE_HOME",
                home.toString()));

    Cli.Result result = Cli.run(environment, home, "config");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern("server\\.port +9001 +MEDLAKE_SERVER_PORT")
        .containsPattern("server\\.session-hours +4 +medlake\\.yaml line 2")
        .containsPattern("ingest\\.compression +zstd +default")
        .containsPattern(
            "platform\\.jdbc-url +jdbc:postgresql://db:5432/medlake\\?password=\\*{6} +medlake\\.yaml line 4")
        .containsPattern("MEDLAKE_PLATFORM_PASSWORD +\\*{6} +secret")
        .containsPattern("MEDLAKE_PSEUDONYM_KEY +not set +secret")
        .doesNotContain("platform-secret")
        .doesNotContain("inline-secret");

    Cli.Result json = Cli.run(environment, home, "config", "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.out())
        .contains("\"key\" : \"server.port\"")
        .contains("\"origin\" : \"MEDLAKE_SERVER_PORT\"")
        .doesNotContain("platform-secret");
  }

  @Test
  void aMisspeltVariableIsAConfigurationErrorNamingTheRightOne() {
    Cli.Result result =
        Cli.run(
            Environment.of(Map.of("MEDLAKE_INGEST_THREDS", "4")),
            directory.resolve("home"),
            "config");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "medlake: error: environment variable MEDLAKE_INGEST_THREDS is no configuration key; did you mean MEDLAKE_INGEST_THREADS?"
                + System.lineSeparator());
  }
}
