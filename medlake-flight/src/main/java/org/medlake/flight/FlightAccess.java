package org.medlake.flight;

import java.net.InetAddress;
import java.util.Optional;
import org.medlake.platform.store.User;

/**
 * What the Flight SQL endpoint asks the process that serves it, so that a Flight client meets the
 * same gate as an HTTP one: the allow-list and rate limits, API tokens, password logins with their
 * throttle, and messages without server paths. Refusals are {@link
 * org.medlake.core.error.MedlakeException}s, as the HTTP API answers them.
 */
public interface FlightAccess {
  /** Refuses a client outside {@code server.allow-list} or over its per-address request rate. */
  void admit(InetAddress client);

  /** Refuses a user over its per-user request rate. */
  void admitUser(String name);

  /** The enabled user of an API token's secret (neither expired nor revoked). */
  Optional<User> token(String secret);

  /**
   * The enabled user the name and password identify. Counts the attempt against the login throttle
   * first and refuses when it is over.
   */
  Optional<User> login(InetAddress client, String name, char[] password);

  /** The user as the platform database has it now, if still enabled. */
  Optional<User> current(String name);

  /** The message as the HTTP API would show it (no absolute server path). */
  String publicMessage(String message);

  /** A statement was answered (for the process's query metrics). */
  void answered(org.medlake.query.engine.QueryResult result);
}
