package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.OptionalInt;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * The Arrow Flight SQL endpoint of {@code medlake serve} (BI tools, notebooks). Off unless a port
 * is configured: a new listening port is opened only on purpose. It speaks TLS exactly when the
 * HTTP server does ({@code server.tls-keystore}), with the same keystore.
 *
 * @param port the TCP port; empty: no Flight SQL endpoint (0 picks a free one)
 * @param host the address it listens on: loopback by default, like the HTTP server
 */
public record FlightConfig(OptionalInt port, String host) {
  public static final String DEFAULT_HOST = "127.0.0.1";

  public FlightConfig {
    requireNonNull(port, "port is null");
    requireNonNull(host, "host is null");
    if (port.isPresent() && (port.getAsInt() < 0 || port.getAsInt() > 65_535)) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "flight.port must be 0 to 65535, not " + port.getAsInt());
    }
    if (host.isBlank()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "flight.host is empty; write 127.0.0.1 or 0.0.0.0");
    }
  }

  public static FlightConfig defaults() {
    return new FlightConfig(OptionalInt.empty(), DEFAULT_HOST);
  }

  public boolean enabled() {
    return port.isPresent();
  }

  @JsonCreator
  static FlightConfig fromYaml(
      @JsonProperty("port") String port, @JsonProperty("host") String host) {
    return new FlightConfig(
        port == null || port.isBlank() ? OptionalInt.empty() : OptionalInt.of(port(port)),
        host == null ? DEFAULT_HOST : host.strip());
  }

  private static int port(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "flight.port must be a number, not '" + text + "'");
    }
  }
}
