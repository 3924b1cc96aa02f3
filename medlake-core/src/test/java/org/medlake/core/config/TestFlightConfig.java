package org.medlake.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.ValidationException;

/** The flight section: off unless a port is set, from the file or its variable. */
class TestFlightConfig {
  private static final Path FILE = Path.of("medlake.yaml");

  private static FlightConfig load(String yaml, Map<String, String> environment) {
    return ConfigFile.load(FILE, yaml, Environment.of(environment), Map.of()).config().flight();
  }

  @Test
  void theEndpointIsOffUntilAPortIsConfigured() {
    assertThat(load("", Map.of())).isEqualTo(FlightConfig.defaults());
    assertThat(FlightConfig.defaults().enabled()).isFalse();
    assertThat(FlightConfig.defaults().host()).isEqualTo("127.0.0.1");
    assertThat(load("flight:\n  port: 32010\n", Map.of()).port()).isEqualTo(OptionalInt.of(32010));
    assertThat(load("", Map.of("MEDLAKE_FLIGHT_PORT", "0")).port()).isEqualTo(OptionalInt.of(0));
    assertThat(load("flight:\n  host: 0.0.0.0\n", Map.of()).enabled()).isFalse();
  }

  @Test
  void aPortOutOfRangeOrNotANumberIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> load("flight:\n  port: 70000\n", Map.of()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("flight.port must be 0 to 65535, not 70000");
    assertThatThrownBy(() -> load("", Map.of("MEDLAKE_FLIGHT_PORT", "lots")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("flight.port must be a number, not 'lots'");
  }
}
