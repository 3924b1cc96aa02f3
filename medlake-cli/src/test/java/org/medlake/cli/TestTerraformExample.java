package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.ConfigFile.Setting;
import org.medlake.core.config.Environment;
import org.medlake.core.config.MedlakeHome;

/**
 * The Terraform module's rendering (deploy/terraform/aws/examples, kept current by the node tests
 * in deploy/terraform) is a configuration medlake accepts: its medlake.yaml passes {@code doctor
 * --offline}, and the server tasks' variables give medlake the same settings as that file.
 */
class TestTerraformExample {
  private static final Path EXAMPLES = Path.of("..", "deploy", "terraform", "aws", "examples");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void theRenderedMedlakeYamlPassesDoctorOffline() throws Exception {
    Path home = homeWith(EXAMPLES.resolve("medlake.yaml"));

    Cli.Result doctor = Cli.run(home, "doctor", "--offline", "--json");

    JsonNode checks = JSON.readTree(doctor.out());
    assertThat(doctor.exitCode()).as(doctor.out() + doctor.err()).isZero();
    assertThat(status(checks, "configuration")).isEqualTo("OK");
    assertThat(status(checks, "catalog")).isEqualTo("WARN");
    assertThat(status(checks, "platform database")).isEqualTo("WARN");
    assertThat(checks)
        .allSatisfy(check -> assertThat(check.get("status").asText()).isNotEqualTo("FAIL"));

    MedlakeHome opened = MedlakeHome.open(home, Environment.empty(), Map.of());
    assertThat(opened.config().catalog().s3Warehouse()).isTrue();
    assertThat(opened.config().catalog().jdbcUrl())
        .hasValueSatisfying(url -> assertThat(url).startsWith("jdbc:postgresql://"));
    assertThat(opened.config().platform().postgres()).isTrue();
    assertThat(opened.config().watch().enabled()).isTrue();
    assertThat(opened.config().watch().queueUrl()).isPresent();
    // the orchestrators' trigger lists the landing bucket, where hospitals deliver
    assertThat(opened.config().ingest().landingLocation())
        .hasValueSatisfying(location -> assertThat(location).matches("s3://[a-z0-9-]+"));
    assertThat(opened.config().query().redisUrl())
        .hasValueSatisfying(url -> assertThat(url).startsWith("rediss://"));
  }

  @Test
  void theServerTasksVariablesGiveTheSameSettingsAsTheRenderedFile() throws Exception {
    Map<String, String> fromFile =
        fileSettings(
            MedlakeHome.open(
                homeWith(EXAMPLES.resolve("medlake.yaml")), Environment.empty(), Map.of()));
    Map<String, String> variables = variables(EXAMPLES.resolve("server.env"));

    // an unknown MEDLAKE_ variable fails the load, naming it: every name is a key's or a secret's
    MedlakeHome fromEnvironment =
        MedlakeHome.open(directory.resolve("task-home"), Environment.of(variables), Map.of());

    Map<String, String> settings =
        fromEnvironment.settings().stream()
            .filter(setting -> setting.origin().startsWith("MEDLAKE_"))
            .collect(Collectors.toMap(Setting::key, Setting::value));
    assertThat(settings).isEqualTo(fromFile);
    assertThat(variables.keySet())
        .filteredOn(Environment.SECRET_VARIABLES::contains)
        .containsExactlyInAnyOrder(
            "MEDLAKE_CATALOG_PASSWORD", "MEDLAKE_PLATFORM_PASSWORD", "MEDLAKE_PSEUDONYM_KEY");
  }

  @Test
  void theGlueProfileOpensItsTablesInGlueWithTheSameVariables() throws Exception {
    Path glue = EXAMPLES.resolve("glue");
    Path home = homeWith(glue.resolve("medlake.yaml"));

    Cli.Result doctor = Cli.run(home, "doctor", "--offline", "--json");
    assertThat(doctor.exitCode()).as(doctor.out() + doctor.err()).isZero();
    assertThat(status(JSON.readTree(doctor.out()), "configuration")).isEqualTo("OK");
    MedlakeHome opened = MedlakeHome.open(home, Environment.empty(), Map.of());
    assertThat(opened.config().catalog().glue()).isTrue();
    assertThat(opened.config().catalog().jdbcUrl()).isEmpty();
    assertThat(opened.config().catalog().s3Warehouse()).isTrue();
    assertThat(opened.config().platform().postgres()).isTrue();

    Map<String, String> variables = variables(glue.resolve("server.env"));
    assertThat(variables).containsEntry("MEDLAKE_CATALOG_TYPE", "glue");
    MedlakeHome fromEnvironment =
        MedlakeHome.open(directory.resolve("glue-task-home"), Environment.of(variables), Map.of());
    assertThat(fromEnvironment.config().catalog()).isEqualTo(opened.config().catalog());
  }

  private Path homeWith(Path config) throws IOException {
    Path home = directory.resolve("home");
    Files.createDirectories(home);
    Files.copy(config, home.resolve("medlake.yaml"));
    return home;
  }

  private static Map<String, String> fileSettings(MedlakeHome home) {
    return home.settings().stream()
        .filter(setting -> setting.origin().startsWith("medlake.yaml"))
        .collect(Collectors.toMap(Setting::key, Setting::value));
  }

  private static Map<String, String> variables(Path file) throws IOException {
    Map<String, String> variables = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file);
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      variables.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return variables;
  }

  private static String status(JsonNode checks, String name) {
    for (JsonNode check : checks) {
      if (check.get("check").asText().equals(name)) {
        return check.get("status").asText();
      }
    }
    throw new AssertionError("doctor has no check " + name + ": " + checks);
  }
}
