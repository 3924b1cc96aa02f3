package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;

/** An IPv4 or IPv6 network in CIDR notation, like {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(InetAddress network, int prefixLength) {
  public Cidr {
    requireNonNull(network, "network is null");
    int bits = bits(network);
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "Prefix length of "
              + network.getHostAddress()
              + " must be 0 to "
              + bits
              + ", not "
              + prefixLength);
    }
    byte[] bytes = network.getAddress();
    for (int bit = prefixLength; bit < bits; bit++) {
      if (bit(bytes, bit)) {
        throw new IllegalArgumentException(
            "'"
                + network.getHostAddress()
                + "/"
                + prefixLength
                + "' has address bits set beyond the /"
                + prefixLength
                + " prefix");
      }
    }
  }

  /**
   * Parses {@code address/prefix}; a bare address is a single host ({@code /32} or {@code /128}).
   * Host names are refused, never looked up.
   *
   * @throws IllegalArgumentException naming the text and what is wrong with it
   */
  public static Cidr parse(String text) {
    requireNonNull(text, "text is null");
    int slash = text.indexOf('/');
    String address = (slash < 0 ? text : text.substring(0, slash)).trim();
    Optional<InetAddress> network = IpLiteral.parse(address);
    if (network.isEmpty() || address.contains(":") && bits(network.get()) == 32) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR like 10.0.0.0/8 or fd00::/8: '"
              + address
              + "' is not an IPv4 or IPv6 address");
    }
    int bits = bits(network.get());
    String prefix = slash < 0 ? Integer.toString(bits) : text.substring(slash + 1).trim();
    if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > bits) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a CIDR: the prefix length must be 0 to "
              + bits
              + ", not '"
              + prefix
              + "'");
    }
    try {
      return new Cidr(network.get(), Integer.parseInt(prefix));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR: it has address bits set beyond the /" + prefix + " prefix",
          e);
    }
  }

  /** Whether {@code address} lies in this network; an address of the other family never does. */
  public boolean contains(InetAddress address) {
    requireNonNull(address, "address is null");
    byte[] candidate = address.getAddress();
    byte[] bytes = network.getAddress();
    if (candidate.length != bytes.length) {
      return false;
    }
    for (int bit = 0; bit < prefixLength; bit++) {
      if (bit(candidate, bit) != bit(bytes, bit)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }

  private static int bits(InetAddress address) {
    return address.getAddress().length * 8;
  }

  private static boolean bit(byte[] bytes, int bit) {
    return (bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0;
  }
}
