package org.medlake.server.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals, parsed without ever asking DNS. */
final class IpLiteral {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private IpLiteral() {}

  /**
   * The address {@code text} spells, if it is an IPv4 or IPv6 literal. IPv4-mapped IPv6 literals
   * ({@code ::ffff:10.0.0.1}) come back as the IPv4 address, as Java reads them.
   */
  static Optional<InetAddress> parse(String text) {
    if (text == null || !IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      // Only literals reach this line, so there is no lookup.
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
