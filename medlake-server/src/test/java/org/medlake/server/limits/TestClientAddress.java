package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestClientAddress {
  private static final List<Cidr> PROXIES =
      List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));

  @Test
  void aDirectClientIsThePeerWhateverItsHeaderSays() {
    assertThat(resolve("198.51.100.4", "203.0.113.7", PROXIES)).isEqualTo(address("198.51.100.4"));
    assertThat(resolve("10.0.0.1", "203.0.113.7", List.of()))
        .as("no proxy is trusted")
        .isEqualTo(address("10.0.0.1"));
  }

  @Test
  void aTrustedProxyWithoutTheHeaderIsTheClient() {
    assertThat(resolve("10.0.0.1", null, PROXIES)).isEqualTo(address("10.0.0.1"));
    assertThat(resolve("10.0.0.1", " ", PROXIES)).isEqualTo(address("10.0.0.1"));
  }

  @Test
  void behindTrustedProxiesTheRightMostUntrustedEntryIsTheClient() {
    assertThat(resolve("10.0.0.1", "203.0.113.7", PROXIES)).isEqualTo(address("203.0.113.7"));
    assertThat(resolve("10.0.0.1", "203.0.113.7, 10.1.1.1", PROXIES))
        .as("a chain of proxies")
        .isEqualTo(address("203.0.113.7"));
    assertThat(resolve("10.0.0.1", "127.0.0.1, 203.0.113.7", PROXIES))
        .as("entries left of the first untrusted one are the client's own claims")
        .isEqualTo(address("203.0.113.7"));
    assertThat(resolve("fd00::1", "2001:db8::7,fd12::1", PROXIES))
        .isEqualTo(address("2001:db8::7"));
  }

  @Test
  void whenEveryEntryIsAProxyTheLeftMostIsTheClient() {
    assertThat(resolve("10.0.0.1", "10.9.9.9, 10.1.1.1", PROXIES)).isEqualTo(address("10.9.9.9"));
  }

  @Test
  void portsAndBracketsAreStripped() {
    assertThat(resolve("10.0.0.1", "203.0.113.7:51234", PROXIES)).isEqualTo(address("203.0.113.7"));
    assertThat(resolve("10.0.0.1", "[2001:db8::7]:51234", PROXIES))
        .isEqualTo(address("2001:db8::7"));
  }

  @Test
  void aMalformedEntryTheAnswerDependsOnIsAnError() {
    assertThatThrownBy(() -> resolve("10.0.0.1", "203.0.113.7, unknown", PROXIES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("X-Forwarded-For entry 'unknown' is not an IP address");
    assertThat(resolve("10.0.0.1", "garbage, 203.0.113.7", PROXIES))
        .as("left of the client it is never read")
        .isEqualTo(address("203.0.113.7"));
  }

  private static InetAddress resolve(String peer, String forwardedFor, List<Cidr> proxies) {
    return ClientAddress.resolve(address(peer), forwardedFor, proxies);
  }

  private static InetAddress address(String literal) {
    return IpLiteral.parse(literal).orElseThrow();
  }
}
