package org.medlake.server.http;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.medlake.core.config.MedlakeHome;
import org.medlake.flight.FlightAccess;
import org.medlake.flight.FlightSqlEndpoint;
import org.medlake.flight.FlightTls;
import org.medlake.platform.store.User;

/**
 * The HTTP API's gate for the Flight SQL endpoint: the same allow-list and rate limits, tokens,
 * users, login throttle and public messages, from the server's one set of services.
 */
final class ServerFlightAccess implements FlightAccess {
  private final ServerServices services;
  private final PublicPaths paths;
  private final ServerMetrics metrics;

  ServerFlightAccess(ServerServices services, PublicPaths paths, ServerMetrics metrics) {
    this.services = requireNonNull(services, "services is null");
    this.paths = requireNonNull(paths, "paths is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** Starts the endpoint when {@code flight.port} is configured; TLS with the HTTP keystore. */
  static Optional<FlightSqlEndpoint> start(
      MedlakeHome home,
      ServerServices services,
      PublicPaths paths,
      ServerMetrics metrics,
      Clock clock) {
    if (!home.config().flight().enabled()) {
      return Optional.empty();
    }
    Optional<FlightTls> tls =
        home.config()
            .server()
            .tlsKeystore()
            .map(
                keystore ->
                    FlightTls.fromPkcs12(
                        Path.of(keystore),
                        Tls.password(home.config().server(), home.environment()).toCharArray()));
    return Optional.of(
        FlightSqlEndpoint.start(
            home.config().flight(),
            home.config().server(),
            tls,
            services.queries,
            services.audit,
            new ServerFlightAccess(services, paths, metrics),
            clock));
  }

  @Override
  public void admit(InetAddress client) {
    services.limits.admit(client);
  }

  @Override
  public void admitUser(String name) {
    services.limits.admitUser(name);
  }

  @Override
  public Optional<User> token(String secret) {
    return services.platform.tokens().authenticate(secret);
  }

  @Override
  public Optional<User> login(InetAddress client, String name, char[] password) {
    services.limits.throttleLogin(client, name);
    Optional<User> user = services.platform.users().authenticate(name, password);
    user.ifPresent(found -> services.limits.loginSucceeded(client, name));
    return user;
  }

  @Override
  public Optional<User> current(String name) {
    return services.platform.users().find(name).filter(User::enabled);
  }

  @Override
  public String publicMessage(String message) {
    return paths.message(message);
  }

  /** Counted as {@code kind="flight-sql"} beside the HTTP API's kinds. */
  @Override
  public void answered(org.medlake.query.engine.QueryResult result) {
    metrics.query("flight-sql", result);
  }
}
