package org.medlake.flight;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.apache.arrow.flight.CallHeaders;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Puts the connection's peer address into the call's headers, where Flight's authenticator and
 * middleware can read it (they see headers, not the transport). A header of that name sent by the
 * client is dropped first, so nobody can claim another address. It is gRPC's call-executor hook,
 * not an interceptor: that runs before every interceptor, Flight's authentication included (an
 * interceptor added through Flight's builder would run after it). Returning no executor keeps the
 * server's own.
 */
final class ClientAddresses implements ServerCallExecutorSupplier {
  static final String HEADER = "x-medlake-client-address";
  private static final Metadata.Key<String> KEY =
      Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> java.util.concurrent.Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
    headers.removeAll(KEY);
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress socket && socket.getAddress() != null) {
      headers.put(KEY, socket.getAddress().getHostAddress());
    }
    return null;
  }

  /** The client's address the interceptor recorded; refused when there is none. */
  static InetAddress address(CallHeaders headers) {
    String address = headers.get(HEADER);
    if (address == null || address.isEmpty()) {
      throw new MedlakeException(ErrorCode.FORBIDDEN, "Cannot tell the address of the client");
    }
    try {
      // an IP literal as the transport wrote it: no name lookup happens
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new MedlakeException(
          ErrorCode.FORBIDDEN, "Cannot tell the address of the client '" + address + "'");
    }
  }
}
