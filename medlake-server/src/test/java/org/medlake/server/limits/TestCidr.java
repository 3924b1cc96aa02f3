package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class TestCidr {
  @Test
  void ipv4NetworksContainTheirAddressesOnly() throws Exception {
    Cidr network = Cidr.parse("10.20.0.0/16");
    assertThat(network.prefixLength()).isEqualTo(16);
    assertThat(network.contains(address("10.20.0.0"))).isTrue();
    assertThat(network.contains(address("10.20.255.255"))).isTrue();
    assertThat(network.contains(address("10.21.0.0"))).isFalse();
    assertThat(network.contains(address("10.19.255.255"))).isFalse();
    assertThat(Cidr.parse("192.168.1.128/25").contains(address("192.168.1.127"))).isFalse();
    assertThat(Cidr.parse("192.168.1.128/25").contains(address("192.168.1.200"))).isTrue();
  }

  @Test
  void ipv6NetworksContainTheirAddressesOnly() throws Exception {
    Cidr network = Cidr.parse("2001:db8::/32");
    assertThat(network.contains(address("2001:db8:ffff::1"))).isTrue();
    assertThat(network.contains(address("2001:db9::1"))).isFalse();
    assertThat(Cidr.parse("fd00::/8").contains(address("fdab:1::2"))).isTrue();
    assertThat(Cidr.parse("::1/128").contains(address("::1"))).isTrue();
    assertThat(Cidr.parse("::1/128").contains(address("::2"))).isFalse();
    assertThat(Cidr.parse("2001:DB8::/32")).isEqualTo(network);
  }

  @Test
  void slashZeroHoldsItsWholeFamilyAndNoOther() throws Exception {
    assertThat(Cidr.parse("0.0.0.0/0").contains(address("203.0.113.7"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(address("2001:db8::1"))).isFalse();
    assertThat(Cidr.parse("::/0").contains(address("2001:db8::1"))).isTrue();
    assertThat(Cidr.parse("::/0").contains(address("203.0.113.7"))).isFalse();
  }

  @Test
  void aBareAddressIsOneHost() throws Exception {
    assertThat(Cidr.parse("127.0.0.1")).isEqualTo(Cidr.parse("127.0.0.1/32"));
    assertThat(Cidr.parse("::1")).isEqualTo(Cidr.parse("::1/128"));
    assertThat(Cidr.parse(" 10.0.0.0 / 8 ").toString()).isEqualTo("10.0.0.0/8");
  }

  @Test
  void invalidInputIsRefusedWithAMessageNamingIt() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'10.0.0.0/33' is not a CIDR: the prefix length must be 0 to 32, not '33'");
    assertThatThrownBy(() -> Cidr.parse("fd00::/129"))
        .hasMessage("'fd00::/129' is not a CIDR: the prefix length must be 0 to 128, not '129'");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/-1"))
        .hasMessage("'10.0.0.0/-1' is not a CIDR: the prefix length must be 0 to 32, not '-1'");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/"))
        .hasMessage("'10.0.0.0/' is not a CIDR: the prefix length must be 0 to 32, not ''");
    assertThatThrownBy(() -> Cidr.parse("10.1.2.3/8"))
        .hasMessage("'10.1.2.3/8' is not a CIDR: it has address bits set beyond the /8 prefix");
    assertThatThrownBy(() -> Cidr.parse("256.0.0.0/8"))
        .hasMessage(
            "'256.0.0.0/8' is not a CIDR like 10.0.0.0/8 or fd00::/8: '256.0.0.0' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> Cidr.parse("2001:db8:::1/64"))
        .hasMessageContaining("'2001:db8:::1' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> Cidr.parse(""))
        .hasMessageContaining("'' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> Cidr.parse("::ffff:10.0.0.0/104"))
        .as("an IPv4-mapped address has one spelling: IPv4")
        .hasMessageContaining("is not an IPv4 or IPv6 address");
  }

  @Test
  void hostNamesAreRefusedWithoutAskingDns() {
    assertThatThrownBy(() -> Cidr.parse("localhost/32"))
        .hasMessageContaining("'localhost' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> Cidr.parse("example.org"))
        .hasMessageContaining("'example.org' is not an IPv4 or IPv6 address");
  }

  private static InetAddress address(String literal) {
    return IpLiteral.parse(literal).orElseThrow();
  }
}
