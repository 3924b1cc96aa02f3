package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;

/**
 * The first filter of every request, /health included: works out the client's address (trusting
 * {@code X-Forwarded-For} only from trusted proxies), keeps it on the context, and refuses clients
 * outside the allow-list.
 */
final class AllowList implements Handler {
  static final String CLIENT_ADDRESS = "medlake.client-address";

  private final List<Cidr> allowed;
  private final List<Cidr> trustedProxies;

  AllowList(List<Cidr> allowed, List<Cidr> trustedProxies) {
    this.allowed = List.copyOf(requireNonNull(allowed, "allowed is null"));
    this.trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies is null"));
  }

  @Override
  public void handle(Context context) {
    String remote = context.req().getRemoteAddr();
    InetAddress peer =
        IpLiteral.parse(withoutZone(remote))
            .orElseThrow(
                () -> Refusals.forbidden("Cannot tell the address of the client '" + remote + "'"));
    String forwardedFor =
        String.join(",", Collections.list(context.req().getHeaders("X-Forwarded-For")));
    InetAddress client;
    try {
      client = ClientAddress.resolve(peer, forwardedFor, trustedProxies);
    } catch (IllegalArgumentException e) {
      throw Refusals.badRequest(e.getMessage());
    }
    context.attribute(CLIENT_ADDRESS, client);
    if (!allows(client)) {
      throw Refusals.forbidden(
          "Client address " + client.getHostAddress() + " is not in server.allow-list");
    }
  }

  boolean allows(InetAddress client) {
    return allowed.stream().anyMatch(network -> network.contains(client));
  }

  /** Jetty may spell IPv6 peers as {@code [fe80::1%eth0]}. */
  private static String withoutZone(String address) {
    String bare =
        address.startsWith("[") && address.endsWith("]")
            ? address.substring(1, address.length() - 1)
            : address;
    int zone = bare.indexOf('%');
    return zone < 0 ? bare : bare.substring(0, zone);
  }
}
