package org.medlake.server.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.medlake.core.config.ServerConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/** HTTPS from a PKCS12 keystore, for deployments without a TLS-terminating proxy. */
final class Tls {
  static final String PASSWORD_VARIABLE = "MEDLAKE_TLS_KEYSTORE_PASSWORD";

  private Tls() {}

  /** The HTTPS connector, when the configuration names a keystore. */
  static Optional<ServerConnector> connector(
      ServerConfig config,
      org.medlake.core.config.Environment environment,
      Server server,
      HttpConfiguration http,
      String host,
      int port) {
    if (config.tlsKeystore().isEmpty()) {
      return Optional.empty();
    }
    Path keystore = Path.of(config.tlsKeystore().get());
    if (!Files.isRegularFile(keystore)) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "server.tls-keystore: no such file " + keystore);
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(keystore.toString());
    ssl.setKeyStoreType("PKCS12");
    ssl.setKeyStorePassword(password(config, environment));
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    HttpConfiguration https = new HttpConfiguration(http);
    // clients reach the server by address as often as by name; the certificate check is theirs
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return Optional.of(connector);
  }

  /** The keystore's password: {@code MEDLAKE_TLS_KEYSTORE_PASSWORD}, else the password file. */
  static String password(ServerConfig config, org.medlake.core.config.Environment environment) {
    Optional<String> fromEnvironment = environment.get(PASSWORD_VARIABLE);
    if (fromEnvironment.isPresent()) {
      return fromEnvironment.get();
    }
    Path file =
        config
            .tlsKeystorePasswordFile()
            .map(Path::of)
            .orElseThrow(
                () ->
                    new ValidationException(
                        ErrorCode.INVALID_CONFIG,
                        "server.tls-keystore needs its password: set "
                            + PASSWORD_VARIABLE
                            + " or server.tls-keystore-password-file"));
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "server.tls-keystore-password-file: cannot read " + file);
    }
  }
}
