package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;

/**
 * The HTTP server's gate in front of Flight SQL: the allow-list against the TCP peer, the login
 * throttle, and a password session that ends when its user is disabled.
 */
class FlightSqlGateIT {
  private static final String PASSWORD = "correct horse battery";

  @TempDir Path directory;

  private MedlakeHome home(String name, String yaml) throws Exception {
    Path root = Files.createDirectories(directory.resolve(name));
    Files.writeString(root.resolve("medlake.yaml"), yaml + "flight:\n  port: 0\n");
    MedlakeHome home = MedlakeHome.open(root);
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("ada", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("bob", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
    }
    return home;
  }

  @Test
  void aClientOutsideTheAllowListIsRefusedBeforeItsPasswordIsChecked() throws Exception {
    MedlakeHome home = home("closed", "server:\n  allow-list: [\"10.0.0.0/8\"]\n");
    try (MedlakeServer server = MedlakeServer.start(home, 0);
        BufferAllocator allocator = new RootAllocator();
        FlightClient client = client(allocator, server)) {
      assertThatThrownBy(() -> client.authenticateBasicToken("ada", PASSWORD))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              error -> {
                assertThat(error.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED);
                assertThat(error.status().description())
                    .isEqualTo("Client address 127.0.0.1 is not in server.allow-list");
              });
    }
  }

  @Test
  void passwordGuessesAreThrottledAndASessionEndsWhenItsUserIsDisabled() throws Exception {
    MedlakeHome home = home("open", "");
    try (MedlakeServer server = MedlakeServer.start(home, 0);
        BufferAllocator allocator = new RootAllocator();
        FlightClient client = client(allocator, server)) {
      FlightSqlClient sql = new FlightSqlClient(client);
      CredentialCallOption session = client.authenticateBasicToken("ada", PASSWORD).orElseThrow();
      try (FlightStream tables =
          sql.getStream(
              sql.getTables(null, null, "%", null, false, session)
                  .getEndpoints()
                  .get(0)
                  .getTicket(),
              session)) {
        assertThat(tables.next()).isTrue();
        assertThat(tables.getRoot().getVector("table_name").getObject(0).toString())
            .isEqualTo("lab_results");
      }
      try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
        platform.users().disable("ada");
      }
      assertThatThrownBy(() -> sql.getTableTypes(session))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              error ->
                  assertThat(error.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      // server.login-attempts-per-15-minutes-per-account: 10 by default
      for (int attempt = 0; attempt < 10; attempt++) {
        assertThatThrownBy(() -> client.authenticateBasicToken("bob", "wrong password 123"))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                error ->
                    assertThat(error.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      }
      assertThatThrownBy(() -> client.authenticateBasicToken("bob", PASSWORD))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              error -> {
                assertThat(error.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
                assertThat(error.status().description())
                    .isEqualTo("Too many login attempts for the account 'bob' from 127.0.0.1");
              });
    }
  }

  private static FlightClient client(BufferAllocator allocator, MedlakeServer server) {
    return FlightClient.builder(
            allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort().orElseThrow()))
        .build();
  }
}
