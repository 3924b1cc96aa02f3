package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.medlake.core.config.ServerConfig;

/**
 * The server's limits: allow-list, request size, rate limits per address and per user, and the
 * login throttle. Refusals are {@link org.medlake.core.error.MedlakeException}s for the server's
 * error mapper.
 *
 * <p>Register in this order: {@link #installBeforeAuthentication}, the authentication filter,
 * {@link #installAfterAuthentication}; the login handler calls {@link #throttleLogin} before it
 * checks the password and {@link #loginSucceeded} after.
 */
public final class Limits {
  /** Keys each rate limiter remembers at most; beyond it the least recently used are forgotten. */
  static final long MAX_KEYS = 100_000;

  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Duration LOGIN_WINDOW = Duration.ofMinutes(15);

  private final ServerConfig config;
  private final AllowList allowList;
  private final RateLimiter perAddress;
  private final RateLimiter perUser;
  private final LoginThrottle logins;

  private Limits(ServerConfig config, Clock clock) {
    this.config = requireNonNull(config, "config is null");
    requireNonNull(clock, "clock is null");
    this.allowList = new AllowList(cidrs(config.allowList()), cidrs(config.trustedProxies()));
    this.perAddress =
        RateLimiter.tokenBucket(config.requestsPerMinutePerIp(), MINUTE, MAX_KEYS, clock);
    this.perUser =
        RateLimiter.tokenBucket(config.requestsPerMinutePerUser(), MINUTE, MAX_KEYS, clock);
    this.logins =
        new LoginThrottle(
            RateLimiter.tokenBucket(
                config.loginAttemptsPer15MinutesPerAccount(), LOGIN_WINDOW, MAX_KEYS, clock),
            RateLimiter.tokenBucket(
                config.loginAttemptsPer15MinutesPerIp(), LOGIN_WINDOW, MAX_KEYS, clock));
  }

  /** Limits from {@code config}; {@code clock} is the time source of every bucket. */
  public static Limits create(ServerConfig config, Clock clock) {
    return new Limits(config, clock);
  }

  /**
   * Allow-list, then request size, then the per-address rate limit, for every path. The size limit
   * skips {@code pathsWithOwnBodyLimit}: handlers there stream the body and bound it themselves
   * (uploads).
   */
  public void installBeforeAuthentication(Javalin app, Set<String> pathsWithOwnBodyLimit) {
    app.before(allowList);
    app.before(new RequestSizeLimit(config.maxRequestBytes(), pathsWithOwnBodyLimit));
    app.before(
        context -> {
          InetAddress client = clientAddress(context);
          admit(
              perAddress,
              client.getHostAddress(),
              "Too many requests from " + client.getHostAddress());
        });
  }

  /** The per-user rate limit on {@code /api/*}, for requests whose {@code user} is known by now. */
  public void installAfterAuthentication(Javalin app, Function<Context, Optional<String>> user) {
    requireNonNull(user, "user is null");
    app.before(
        "/api/*",
        context ->
            user.apply(context)
                .ifPresent(name -> admit(perUser, name, "Too many requests by the user " + name)));
  }

  /**
   * Counts a login attempt on {@code account}; refuses it with 429 when the address, or the account
   * from this address, is over its limit.
   */
  public void throttleLogin(Context context, String account) {
    logins.attempt(clientAddress(context), requireNonNull(account, "account is null"));
  }

  /** Clears the account's login attempts from this client; the address's stay counted. */
  public void loginSucceeded(Context context, String account) {
    logins.succeeded(clientAddress(context), requireNonNull(account, "account is null"));
  }

  /**
   * For a client that connects without HTTP (Flight SQL): refuses an address outside the allow-list
   * (no proxy header to honour) or over its per-address rate.
   */
  public void admit(InetAddress client) {
    requireNonNull(client, "client is null");
    if (!allowList.allows(client)) {
      throw Refusals.forbidden(
          "Client address " + client.getHostAddress() + " is not in server.allow-list");
    }
    admit(perAddress, client.getHostAddress(), "Too many requests from " + client.getHostAddress());
  }

  /** The per-user rate limit, for a user authenticated without HTTP (Flight SQL). */
  public void admitUser(String user) {
    requireNonNull(user, "user is null");
    admit(perUser, user, "Too many requests by the user " + user);
  }

  /** {@link #throttleLogin(Context, String)} for a client that connects without HTTP. */
  public void throttleLogin(InetAddress client, String account) {
    logins.attempt(
        requireNonNull(client, "client is null"), requireNonNull(account, "account is null"));
  }

  /** {@link #loginSucceeded(Context, String)} for a client that connects without HTTP. */
  public void loginSucceeded(InetAddress client, String account) {
    logins.succeeded(
        requireNonNull(client, "client is null"), requireNonNull(account, "account is null"));
  }

  /** The client's address as the allow-list worked it out, for logs and audit. */
  public static InetAddress clientAddress(Context context) {
    InetAddress address = context.attribute(AllowList.CLIENT_ADDRESS);
    if (address == null) {
      throw new IllegalStateException(
          "Limits.installBeforeAuthentication was not called: no client address on "
              + context.path());
    }
    return address;
  }

  private static void admit(RateLimiter limiter, String key, String message) {
    RateLimiter.Admission admission = limiter.admit(key);
    if (!admission.granted()) {
      throw Refusals.rateLimited(message, admission.retryAfter());
    }
  }

  private static List<Cidr> cidrs(List<String> texts) {
    return texts.stream().map(Cidr::parse).toList();
  }
}
