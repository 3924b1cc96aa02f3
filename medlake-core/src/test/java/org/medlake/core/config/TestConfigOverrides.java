package org.medlake.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;

/**
 * The loader's rules: environment overrides, precedence, unknown keys, origins, secrets, defaults
 * written once.
 */
class TestConfigOverrides {
  private static final Path FILE = Path.of("medlake.yaml");

  private static ConfigFile.Loaded load(String yaml, Map<String, String> environment) {
    return ConfigFile.load(FILE, yaml, Environment.of(environment), Map.of());
  }

  private static String origin(ConfigFile.Loaded loaded, String key) {
    return setting(loaded, key).origin();
  }

  private static ConfigFile.Setting setting(ConfigFile.Loaded loaded, String key) {
    return loaded.settings().stream()
        .filter(setting -> setting.key().equals(key))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theVariableOfAKeyIsMedlakeAndTheKeyUpperCasedWithUnderscores() {
    assertThat(ConfigKeys.environmentVariable("server.port")).isEqualTo("MEDLAKE_SERVER_PORT");
    assertThat(ConfigKeys.environmentVariable("ingest.hold.max-rejected-share"))
        .isEqualTo("MEDLAKE_INGEST_HOLD_MAX_REJECTED_SHARE");
    assertThat(ConfigKeys.environmentVariable("query.budgets.viewer"))
        .isEqualTo("MEDLAKE_QUERY_BUDGETS_VIEWER");
    // one variable per key: no two keys share a name, and none is a secret's name
    List<String> variables =
        ConfigKeys.all().stream().map(ConfigKeys.Key::environmentVariable).toList();
    assertThat(Set.copyOf(variables))
        .hasSameSizeAs(variables)
        .doesNotContainAnyElementsOf(Environment.SECRET_VARIABLES);
    assertThat(ConfigKeys.all())
        .extracting(ConfigKeys.Key::path)
        .contains(
            "server.port",
            "catalog.s3.endpoint",
            "query.jdbc.url",
            "query.export-rows.uploader",
            "ingest.workers");
  }

  @Test
  void everyKindOfKeyIsOverriddenByItsVariable() {
    MedlakeConfig config =
        load(
                "",
                Map.of(
                    "MEDLAKE_SERVER_PORT", "9000",
                    "MEDLAKE_INGEST_HOLD_ENABLED", "false",
                    "MEDLAKE_SERVER_ALLOW_LIST", "10.0.0.0/8, ::1/128",
                    "MEDLAKE_QUERY_BUDGETS_VIEWER", "1GB",
                    "MEDLAKE_CATALOG_S3_ENDPOINT", "http://minio:9000",
                    "MEDLAKE_QUERY_NOISE_SD", "0.5",
                    "MEDLAKE_WEBHOOKS_URLS", "",
                    "MEDLAKE_INGEST_LANDING_LOCATION", "s3://landing"))
            .config();
    assertThat(config.server().port()).isEqualTo(9000);
    assertThat(config.ingest().hold().enabled()).isFalse();
    assertThat(config.server().allowList()).containsExactly("10.0.0.0/8", "::1/128");
    assertThat(config.query().budget(Role.VIEWER)).isEqualTo(1_000_000_000L);
    assertThat(config.query().budget(Role.ANALYST))
        .isEqualTo(QueryConfig.defaults().budget(Role.ANALYST));
    assertThat(config.catalog().s3().endpoint()).contains("http://minio:9000");
    assertThat(config.query().obfuscation().noiseSd()).isEqualTo(0.5);
    assertThat(config.webhooks().urls()).isEmpty();
    assertThat(config.ingest().landingLocation()).contains("s3://landing");
  }

  @Test
  void commandLineBeatsEnvironmentBeatsFileBeatsDefault() {
    String yaml = "server:\n  port: 7000\n  session-hours: 4\ningest:\n  threads: 3\n";
    Map<String, String> environment =
        Map.of("MEDLAKE_SERVER_PORT", "9000", "MEDLAKE_INGEST_THREADS", "5");
    ConfigFile.Loaded loaded =
        ConfigFile.load(FILE, yaml, Environment.of(environment), Map.of("server.port", "9100"));
    assertThat(loaded.config().server().port()).isEqualTo(9100);
    assertThat(origin(loaded, "server.port")).isEqualTo("command line");
    assertThat(loaded.config().ingest().threads()).isEqualTo(5);
    assertThat(origin(loaded, "ingest.threads")).isEqualTo("MEDLAKE_INGEST_THREADS");
    assertThat(loaded.config().server().sessionHours()).isEqualTo(4);
    assertThat(origin(loaded, "server.session-hours")).isEqualTo("medlake.yaml line 3");
    assertThat(setting(loaded, "server.max-sessions"))
        .isEqualTo(new ConfigFile.Setting("server.max-sessions", "100000", "default"));
    assertThat(setting(loaded, "catalog.warehouse"))
        .isEqualTo(new ConfigFile.Setting("catalog.warehouse", "(unset)", "default"));
    assertThat(setting(loaded, "ingest.landing-location"))
        .isEqualTo(new ConfigFile.Setting("ingest.landing-location", "(unset)", "default"));
    assertThat(setting(loaded, "server.allow-list").value()).isEqualTo("[127.0.0.1/32, ::1/128]");
    // without overrides the file's value stands
    assertThat(load(yaml, Map.of()).config().server().port()).isEqualTo(7000);
    assertThat(load("", Map.of()).config().server().port()).isEqualTo(ServerConfig.DEFAULT_PORT);
  }

  @Test
  void unknownKeysNameTheClosestKnownKey() {
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  session-hours: 4\n  prot: 80\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessage("medlake.yaml: unknown key 'server.prot' (line 3); did you mean 'server.port'?")
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errorCode())
                    .isEqualTo(ErrorCode.INVALID_CONFIG));
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "ingestion:\n  threads: 2\n"))
        .hasMessage("medlake.yaml: unknown key 'ingestion' (line 1); did you mean 'ingest'?");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "query:\n  budgets:\n    viewr: 1GB\n"))
        .hasMessage(
            "medlake.yaml: unknown key 'query.budgets.viewr' (line 3); did you mean 'query.budgets.viewer'?");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "ingest:\n  hold:\n    enable: false\n"))
        .hasMessage(
            "medlake.yaml: unknown key 'ingest.hold.enable' (line 3); did you mean 'ingest.hold.enabled'?");
  }

  @Test
  void aMisspeltVariableOfASectionIsAnErrorOthersAreNotOurs() {
    assertThatThrownBy(() -> load("", Map.of("MEDLAKE_SERVER_PROT", "80")))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "environment variable MEDLAKE_SERVER_PROT is no configuration key; did you mean MEDLAKE_SERVER_PORT?");
    // the home, secrets and variables outside the sections are not keys and not errors
    MedlakeConfig config =
        load(
                "",
                Map.of(
                    "MEDLAKE_HOME",
                    "/srv/medlake",
                    "MEDLAKE_PLATFORM_PASSWORD",
                    "pw",
                    "MEDLAKE_QUERY_JDBC_PASSWORD",
                    "pw",
                    "MEDLAKE_TRINO_JAVA",
                    "/opt/java",
                    "HOSTNAME",
                    "node-1"))
            .config();
    assertThat(config.server()).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void aBadValueNamesWhereItCameFrom() {
    assertThatThrownBy(() -> load("", Map.of("MEDLAKE_SERVER_PORT", "99999")))
        .hasMessage("MEDLAKE_SERVER_PORT: server.port must be 0 to 65535, not 99999");
    assertThatThrownBy(() -> load("server:\n  port: 99999\n", Map.of()))
        .hasMessage("medlake.yaml: server.port must be 0 to 65535, not 99999");
    assertThatThrownBy(() -> load("", Map.of("MEDLAKE_INGEST_THREADS", "two")))
        .hasMessageStartingWith("MEDLAKE_INGEST_THREADS: invalid value at 'ingest.threads': ");
    assertThatThrownBy(() -> load("ingest:\n  compression: zstd\n  threads: two\n", Map.of()))
        .hasMessageStartingWith("medlake.yaml: invalid value at 'ingest.threads' (line 3): ");
    assertThatThrownBy(
            () -> load("", Map.of("MEDLAKE_SERVER_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")))
        .hasMessageStartingWith(
            "MEDLAKE_SERVER_TRUSTED_PROXIES: server.trusted-proxies entry 'proxy.internal' is not a CIDR");
  }

  @Test
  void passwordsComeFromTheirVariablesAndNeverShow() {
    ConfigFile.Loaded loaded =
        load(
            "platform:\n  jdbc-url: jdbc:postgresql://db:5432/medlake?password=inline\n  jdbc-user: medlake\n",
            Map.of(
                "MEDLAKE_PLATFORM_PASSWORD",
                "s3cret-platform",
                "MEDLAKE_QUERY_JDBC_PASSWORD",
                "s3cret-query"));
    assertThat(loaded.config().platform().connectionProperties().getProperty("password"))
        .isEqualTo("s3cret-platform");
    assertThat(loaded.config().query().engine().connectionProperties().getProperty("password"))
        .isEqualTo("s3cret-query");
    assertThat(loaded.config().toString()).doesNotContain("s3cret");
    assertThat(setting(loaded, "platform.jdbc-url").value())
        .isEqualTo("jdbc:postgresql://db:5432/medlake?password=******");
    assertThat(ConfigFile.masked("redis://user:hunter2@cache:6379"))
        .isEqualTo("redis://user:******@cache:6379");
    assertThat(
            load("", Map.of()).config().platform().connectionProperties().getProperty("password"))
        .isNull();
  }

  @Test
  void theCommentedDefaultFileNamesEveryKeyWithTheRecordsDefaults() {
    // the active values of the written file are the records' defaults ...
    assertThat(ConfigFile.parse(FILE, ConfigFile.DEFAULT_TEXT)).isEqualTo(MedlakeConfig.defaults());
    // ... and every key is in it, set or commented out, so the file documents all of them
    Set<String> written =
        ConfigFile.DEFAULT_TEXT
            .lines()
            .map(line -> Pattern.compile("^[\\s#]*([a-z0-9-]+):").matcher(line))
            .filter(java.util.regex.Matcher::find)
            .map(matcher -> matcher.group(1))
            .collect(Collectors.toSet());
    List<String> missing =
        ConfigKeys.all().stream()
            .map(ConfigKeys.Key::path)
            .filter(path -> !written.contains(path.substring(path.lastIndexOf('.') + 1)))
            .toList();
    assertThat(missing).isEmpty();
    // every default the file sets is reported with origin "default" and the file's text
    ConfigFile.Loaded loaded = load("", Map.of());
    assertThat(setting(loaded, "ingest.memory-limit"))
        .isEqualTo(new ConfigFile.Setting("ingest.memory-limit", "2GB", "default"));
    assertThat(loaded.settings())
        .extracting(ConfigFile.Setting::key)
        .containsExactlyElementsOf(ConfigKeys.all().stream().map(ConfigKeys.Key::path).toList());
  }
}
