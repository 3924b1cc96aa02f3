package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.core.config.ConfigFile;
import org.medlake.core.config.MedlakeConfig;
import org.medlake.core.config.ServerConfig;
import org.medlake.core.error.ValidationException;

/** The {@code server:} section of medlake.yaml: defaults, explicit values, and errors at load. */
class TestLimitsServerConfig {
  private static final Path FILE = Path.of("medlake.yaml");

  @Test
  void defaultsAreSafe() {
    ServerConfig defaults = ServerConfig.defaults();
    assertThat(defaults.allowList()).containsExactly("127.0.0.1/32", "::1/128");
    assertThat(defaults.trustedProxies()).isEmpty();
    assertThat(defaults.requestsPerMinutePerUser()).isEqualTo(600);
    assertThat(defaults.requestsPerMinutePerIp()).isEqualTo(1200);
    assertThat(defaults.loginAttemptsPer15MinutesPerAccount()).isEqualTo(10);
    assertThat(defaults.loginAttemptsPer15MinutesPerIp()).isEqualTo(50);
    assertThat(defaults.maxRequestBytes()).isEqualTo(1_000_000);
    assertThat(defaults.sessionLifetime()).isEqualTo(Duration.ofHours(8));
    assertThat(ConfigFile.parse(FILE, "query:\n  threads: 2\n").server()).isEqualTo(defaults);
    assertThat(MedlakeConfig.defaults().server()).isEqualTo(defaults);
    defaults.allowList().forEach(Cidr::parse);
  }

  @Test
  void explicitValuesOverrideDefaults() {
    ServerConfig config =
        ConfigFile.parse(
                FILE,
                """
        server:
          allow-list: ["10.0.0.0/8", "fd00::/8", "0.0.0.0/0"]
          trusted-proxies: ["10.0.0.5"]
          requests-per-minute-per-user: 60
          requests-per-minute-per-ip: 120
          login-attempts-per-15-minutes-per-account: 5
          login-attempts-per-15-minutes-per-ip: 20
          max-request-bytes: 2MiB
          session-hours: 12
          max-sessions: 50
          max-token-days: 30
        """)
            .server();
    assertThat(config)
        .isEqualTo(
            new ServerConfig(
                List.of("10.0.0.0/8", "fd00::/8", "0.0.0.0/0"),
                List.of("10.0.0.5"),
                60,
                120,
                5,
                20,
                2L << 20,
                12,
                50,
                30,
                java.util.Optional.empty(),
                java.util.Optional.empty()));
  }

  @Test
  void invalidValuesAreErrorsNamingTheKeyAndTheValue() {
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  allow-list: [\"10.0.0.0/33\"]\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "medlake.yaml: server.allow-list entry '10.0.0.0/33' has an invalid prefix length; it must be 0 to 32");
    assertThatThrownBy(
            () -> ConfigFile.parse(FILE, "server:\n  trusted-proxies: [\"proxy.internal\"]\n"))
        .hasMessage(
            "medlake.yaml: server.trusted-proxies entry 'proxy.internal' is not a CIDR like 10.0.0.0/8 or fd00::/8:"
                + " 'proxy.internal' is not an IP address");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  allow-list: [\"10.1.0.0/8\"]\n"))
        .hasMessage(
            "medlake.yaml: server.allow-list entry '10.1.0.0/8' has address bits set beyond the /8 prefix");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  allow-list: [\"fd00::/129\"]\n"))
        .hasMessage(
            "medlake.yaml: server.allow-list entry 'fd00::/129' has an invalid prefix length; it must be 0 to 128");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  allow-list: []\n"))
        .hasMessage(
            "medlake.yaml: server.allow-list is empty; to allow every client write [\"0.0.0.0/0\", \"::/0\"]");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  requests-per-minute-per-user: 0\n"))
        .hasMessage("medlake.yaml: server.requests-per-minute-per-user must be positive, not 0");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  max-request-bytes: lots\n"))
        .hasMessage("medlake.yaml: server.max-request-bytes must be a size like 10GB, not 'lots'");
    assertThatThrownBy(() -> ConfigFile.parse(FILE, "server:\n  allow_list: []\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'server.allow_list' (line 2)");
  }
}
