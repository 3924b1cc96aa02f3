package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;

/** Who the client of a request is, behind zero or more trusted reverse proxies. */
public final class ClientAddress {
  private ClientAddress() {}

  /**
   * The client's address: the direct peer, unless the peer is a trusted proxy; then the right-most
   * {@code X-Forwarded-For} entry that is not itself a trusted proxy (entries further left were
   * written by whoever connected to the proxy and prove nothing). When every entry is a trusted
   * proxy, the left-most one.
   *
   * @param remoteAddress the peer of the TCP connection
   * @param xForwardedFor every {@code X-Forwarded-For} header of the request, joined with commas;
   *     null or blank when absent
   * @throws IllegalArgumentException when an entry the answer depends on is not an IP address
   */
  public static InetAddress resolve(
      InetAddress remoteAddress, String xForwardedFor, List<Cidr> trustedProxies) {
    requireNonNull(remoteAddress, "remoteAddress is null");
    requireNonNull(trustedProxies, "trustedProxies is null");
    if (xForwardedFor == null
        || xForwardedFor.isBlank()
        || !trusted(remoteAddress, trustedProxies)) {
      return remoteAddress;
    }
    String[] entries = xForwardedFor.split(",");
    InetAddress client = remoteAddress;
    for (int index = entries.length - 1; index >= 0; index--) {
      String entry = entries[index].trim();
      if (entry.isEmpty()) {
        continue;
      }
      client =
          IpLiteral.parse(withoutPort(entry))
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "X-Forwarded-For entry '" + entry + "' is not an IP address"));
      if (!trusted(client, trustedProxies)) {
        return client;
      }
    }
    return client;
  }

  private static boolean trusted(InetAddress address, List<Cidr> trustedProxies) {
    return trustedProxies.stream().anyMatch(proxy -> proxy.contains(address));
  }

  /** Some proxies write {@code 203.0.113.7:51234} or {@code [2001:db8::1]:51234}. */
  private static String withoutPort(String entry) {
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      return close < 0 ? entry : entry.substring(1, close);
    }
    int colon = entry.indexOf(':');
    return colon >= 0 && colon == entry.lastIndexOf(':') ? entry.substring(0, colon) : entry;
  }
}
