package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;

/**
 * HTTPS from a keystore: HSTS on every answer and Secure session cookies; the Flight SQL endpoint
 * speaks TLS with the same certificate.
 */
class TlsIT {
  private static final String PASSWORD = "keystore-password-1";

  @TempDir Path directory;

  @Test
  void theServerSpeaksHttpsWithHstsAndSecureCookiesAndFlightSqlOverTls() throws Exception {
    Path keystore = directory.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "medlake",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue())
        .as(new String(keytool.getInputStream().readAllBytes()))
        .isZero();
    Path passwordFile = directory.resolve("server.p12.password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    Path homeDirectory = Files.createDirectories(directory.resolve("home"));
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"),
        "server:\n  tls-keystore: "
            + keystore
            + "\n  tls-keystore-password-file: "
            + passwordFile
            + "\nflight:\n  port: 0\n");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
    }
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      HttpClient https = HttpClient.newBuilder().sslContext(trusting(keystore)).build();
      HttpResponse<String> health =
          https.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Strict-Transport-Security"))
          .hasValue("max-age=31536000; includeSubDomains");
      HttpResponse<String> login =
          https.send(
              HttpRequest.newBuilder(
                      URI.create("https://127.0.0.1:" + server.port() + "/api/v1/login"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"name\": \"ada\", \"password\": \"correct horse battery\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(200);
      assertThat(login.headers().allValues("Set-Cookie"))
          .anySatisfy(cookie -> assertThat(cookie).contains("Secure").contains("HttpOnly"));
      HttpClient plain = HttpClient.newHttpClient();
      try {
        plain.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.fail("plain HTTP must not be answered on the TLS port");
      } catch (java.io.IOException expected) {
        // the TLS connector does not speak plain HTTP
      }
      byte[] certificate =
          org.medlake.flight.FlightTls.fromPkcs12(keystore, PASSWORD.toCharArray())
              .certificateChain();
      int flightPort = server.flightPort().orElseThrow();
      try (org.apache.arrow.memory.BufferAllocator allocator =
              new org.apache.arrow.memory.RootAllocator();
          org.apache.arrow.flight.FlightClient tls =
              org.apache.arrow.flight.FlightClient.builder(
                      allocator,
                      org.apache.arrow.flight.Location.forGrpcTls("127.0.0.1", flightPort))
                  .trustedCertificates(new java.io.ByteArrayInputStream(certificate))
                  .build();
          org.apache.arrow.flight.FlightClient insecure =
              org.apache.arrow.flight.FlightClient.builder(
                      allocator,
                      org.apache.arrow.flight.Location.forGrpcInsecure("127.0.0.1", flightPort))
                  .build()) {
        assertThat(tls.authenticateBasicToken("ada", "correct horse battery")).isPresent();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> insecure.authenticateBasicToken("ada", "correct horse battery"))
            .isInstanceOf(org.apache.arrow.flight.FlightRuntimeException.class);
      }
    }
  }

  private static SSLContext trusting(Path keystore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream input = Files.newInputStream(keystore)) {
      store.load(input, PASSWORD.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
