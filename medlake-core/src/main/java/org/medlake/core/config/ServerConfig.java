package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Settings of the HTTP server: who may connect, how often, and for how long a session lasts.
 *
 * @param allowList CIDRs of the clients that may connect at all; never empty (write {@code
 *     0.0.0.0/0} and {@code ::/0} to allow everyone)
 * @param trustedProxies CIDRs of the reverse proxies whose {@code X-Forwarded-For} header is
 *     honoured
 * @param requestsPerMinutePerUser API requests one authenticated user may make per minute
 * @param requestsPerMinutePerIp requests one client address may make per minute
 * @param loginAttemptsPer15MinutesPerAccount login attempts on one account per 15 minutes
 * @param loginAttemptsPer15MinutesPerIp login attempts from one client address per 15 minutes
 * @param maxRequestBytes a request body larger than this is refused before it is read
 * @param sessionHours a browser session ends this many hours after login
 * @param maxSessions browser sessions the server holds at most; a login beyond them ends the oldest
 * @param maxTokenDays the longest lifetime an API token created through the API may have, in days
 * @param tlsKeystore a PKCS12 keystore: when set, the server speaks HTTPS only (for deployments
 *     without a proxy)
 * @param tlsKeystorePasswordFile a file holding the keystore's password; {@code
 *     MEDLAKE_TLS_KEYSTORE_PASSWORD} overrides it
 * @param port the TCP port the server listens on ({@code medlake serve --port} overrides it; 0
 *     picks a free one)
 */
public record ServerConfig(
    List<String> allowList,
    List<String> trustedProxies,
    int requestsPerMinutePerUser,
    int requestsPerMinutePerIp,
    int loginAttemptsPer15MinutesPerAccount,
    int loginAttemptsPer15MinutesPerIp,
    long maxRequestBytes,
    int sessionHours,
    int maxSessions,
    int maxTokenDays,
    java.util.Optional<String> tlsKeystore,
    java.util.Optional<String> tlsKeystorePasswordFile,
    int port) {
  public static final int DEFAULT_PORT = 8080;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  public ServerConfig {
    allowList = List.copyOf(requireNonNull(allowList, "allowList is null"));
    trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies is null"));
    if (allowList.isEmpty()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "server.allow-list is empty; to allow every client write [\"0.0.0.0/0\", \"::/0\"]");
    }
    allowList.forEach(cidr -> checkCidr("server.allow-list", cidr));
    trustedProxies.forEach(cidr -> checkCidr("server.trusted-proxies", cidr));
    IngestConfig.positive("server.requests-per-minute-per-user", requestsPerMinutePerUser);
    IngestConfig.positive("server.requests-per-minute-per-ip", requestsPerMinutePerIp);
    IngestConfig.positive(
        "server.login-attempts-per-15-minutes-per-account", loginAttemptsPer15MinutesPerAccount);
    IngestConfig.positive(
        "server.login-attempts-per-15-minutes-per-ip", loginAttemptsPer15MinutesPerIp);
    IngestConfig.positive("server.max-request-bytes", maxRequestBytes);
    IngestConfig.positive("server.session-hours", sessionHours);
    IngestConfig.positive("server.max-sessions", maxSessions);
    IngestConfig.positive("server.max-token-days", maxTokenDays);
    if (maxTokenDays > 36_500) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "server.max-token-days must be at most 36500, not " + maxTokenDays);
    }
    requireNonNull(tlsKeystore, "tlsKeystore is null");
    requireNonNull(tlsKeystorePasswordFile, "tlsKeystorePasswordFile is null");
    if (port < 0 || port > 65_535) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "server.port must be 0 to 65535, not " + port);
    }
  }

  public ServerConfig(
      List<String> allowList,
      List<String> trustedProxies,
      int requestsPerMinutePerUser,
      int requestsPerMinutePerIp,
      int loginAttemptsPer15MinutesPerAccount,
      int loginAttemptsPer15MinutesPerIp,
      long maxRequestBytes,
      int sessionHours,
      int maxSessions,
      int maxTokenDays,
      java.util.Optional<String> tlsKeystore,
      java.util.Optional<String> tlsKeystorePasswordFile) {
    this(
        allowList,
        trustedProxies,
        requestsPerMinutePerUser,
        requestsPerMinutePerIp,
        loginAttemptsPer15MinutesPerAccount,
        loginAttemptsPer15MinutesPerIp,
        maxRequestBytes,
        sessionHours,
        maxSessions,
        maxTokenDays,
        tlsKeystore,
        tlsKeystorePasswordFile,
        DEFAULT_PORT);
  }

  public static ServerConfig defaults() {
    return new ServerConfig(
        List.of("127.0.0.1/32", "::1/128"),
        List.of(),
        600,
        1200,
        10,
        50,
        1_000_000L,
        8,
        100_000,
        365,
        java.util.Optional.empty(),
        java.util.Optional.empty());
  }

  public Duration sessionLifetime() {
    return Duration.ofHours(sessionHours);
  }

  @JsonCreator
  static ServerConfig fromYaml(
      @JsonProperty("allow-list") List<String> allowList,
      @JsonProperty("trusted-proxies") List<String> trustedProxies,
      @JsonProperty("requests-per-minute-per-user") Integer requestsPerMinutePerUser,
      @JsonProperty("requests-per-minute-per-ip") Integer requestsPerMinutePerIp,
      @JsonProperty("login-attempts-per-15-minutes-per-account")
          Integer loginAttemptsPer15MinutesPerAccount,
      @JsonProperty("login-attempts-per-15-minutes-per-ip") Integer loginAttemptsPer15MinutesPerIp,
      @JsonProperty("max-request-bytes") String maxRequestBytes,
      @JsonProperty("session-hours") Integer sessionHours,
      @JsonProperty("max-sessions") Integer maxSessions,
      @JsonProperty("max-token-days") Integer maxTokenDays,
      @JsonProperty("tls-keystore") String tlsKeystore,
      @JsonProperty("tls-keystore-password-file") String tlsKeystorePasswordFile,
      @JsonProperty("port") Integer port) {
    ServerConfig defaults = defaults();
    return new ServerConfig(
        allowList == null ? defaults.allowList() : allowList,
        trustedProxies == null ? defaults.trustedProxies() : trustedProxies,
        requestsPerMinutePerUser == null
            ? defaults.requestsPerMinutePerUser()
            : requestsPerMinutePerUser,
        requestsPerMinutePerIp == null ? defaults.requestsPerMinutePerIp() : requestsPerMinutePerIp,
        loginAttemptsPer15MinutesPerAccount == null
            ? defaults.loginAttemptsPer15MinutesPerAccount()
            : loginAttemptsPer15MinutesPerAccount,
        loginAttemptsPer15MinutesPerIp == null
            ? defaults.loginAttemptsPer15MinutesPerIp()
            : loginAttemptsPer15MinutesPerIp,
        maxRequestBytes == null
            ? defaults.maxRequestBytes()
            : ByteSize.parse("server.max-request-bytes", maxRequestBytes),
        sessionHours == null ? defaults.sessionHours() : sessionHours,
        maxSessions == null ? defaults.maxSessions() : maxSessions,
        maxTokenDays == null ? defaults.maxTokenDays() : maxTokenDays,
        java.util.Optional.ofNullable(tlsKeystore).filter(path -> !path.isBlank()),
        java.util.Optional.ofNullable(tlsKeystorePasswordFile).filter(path -> !path.isBlank()),
        port == null ? defaults.port() : port);
  }

  /**
   * Checks the notation (the server parses it into its own type with the same rules): an IP
   * literal, never a host name that would need DNS, a prefix length that fits the address family,
   * and no address bits beyond the prefix.
   */
  private static void checkCidr(String key, String cidr) {
    if (cidr == null || cidr.isBlank()) {
      throw new ValidationException(ErrorCode.INVALID_CONFIG, key + " has an empty entry");
    }
    int slash = cidr.indexOf('/');
    String address = (slash < 0 ? cidr : cidr.substring(0, slash)).trim();
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          key
              + " entry '"
              + cidr
              + "' is not a CIDR like 10.0.0.0/8 or fd00::/8: '"
              + address
              + "' is not an IP address");
    }
    int bits = bytes.length * 8;
    String prefixText = slash < 0 ? Integer.toString(bits) : cidr.substring(slash + 1).trim();
    if (!prefixText.matches("\\d{1,3}") || Integer.parseInt(prefixText) > bits) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          key + " entry '" + cidr + "' has an invalid prefix length; it must be 0 to " + bits);
    }
    int prefix = Integer.parseInt(prefixText);
    for (int bit = prefix; bit < bits; bit++) {
      if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            key + " entry '" + cidr + "' has address bits set beyond the /" + prefix + " prefix");
      }
    }
  }

  private static byte[] literal(String address) {
    if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
      return null;
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      // Java reads ::ffff:10.0.0.1 as an IPv4 address; insist on one spelling per family.
      return address.contains(":") && bytes.length == 4 ? null : bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
