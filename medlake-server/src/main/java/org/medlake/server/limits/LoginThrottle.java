package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Locale;

/**
 * Counts login attempts per account and client address, and per client address, before the password
 * is checked. Failures from one address lock the account for that address only: nobody can lock
 * another person out by guessing their password from elsewhere. A successful login clears its
 * (account, address) count but never its address's, so spraying one password over many accounts
 * from one address gains nothing from the occasional hit.
 */
final class LoginThrottle {
  private static final int MAX_NAME_LENGTH = 64;

  private final RateLimiter accounts;
  private final RateLimiter addresses;

  LoginThrottle(RateLimiter accounts, RateLimiter addresses) {
    this.accounts = requireNonNull(accounts, "accounts is null");
    this.addresses = requireNonNull(addresses, "addresses is null");
  }

  /**
   * Takes an attempt for both, or refuses; a refused address does not use up the account's
   * attempts.
   */
  void attempt(InetAddress client, String account) {
    RateLimiter.Admission byAddress = addresses.admit(client.getHostAddress());
    if (!byAddress.granted()) {
      throw Refusals.rateLimited(
          "Too many login attempts from " + client.getHostAddress(), byAddress.retryAfter());
    }
    String name = key(account);
    RateLimiter.Admission byAccount = accounts.admit(key(client, account));
    if (!byAccount.granted()) {
      throw Refusals.rateLimited(
          "Too many login attempts for the account '" + name + "' from " + client.getHostAddress(),
          byAccount.retryAfter());
    }
  }

  void succeeded(InetAddress client, String account) {
    accounts.reset(key(client, account));
  }

  private static String key(InetAddress client, String account) {
    return key(account) + '\u0000' + client.getHostAddress();
  }

  /**
   * User names are lower case and at most 64 characters; a longer name cannot log in, so its first
   * 65 characters are key enough, and a key cannot make the cache hold a megabyte.
   */
  private static String key(String account) {
    String key = account.trim().toLowerCase(Locale.ROOT);
    return key.length() <= MAX_NAME_LENGTH + 1 ? key : key.substring(0, MAX_NAME_LENGTH + 1);
  }
}
