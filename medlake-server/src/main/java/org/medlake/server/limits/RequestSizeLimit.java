package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Set;

/**
 * Refuses a too-large body from its {@code Content-Length}, before a byte of it is read. Javalin
 * checks only that header too, so a body without one (chunked) is refused outright: nothing would
 * bound it. Paths whose handlers bound the body themselves are left alone.
 */
final class RequestSizeLimit implements Handler {
  private final long maxBytes;
  private final Set<String> exempt;

  RequestSizeLimit(long maxBytes, Set<String> exempt) {
    this.maxBytes = maxBytes;
    this.exempt = Set.copyOf(requireNonNull(exempt, "exempt is null"));
  }

  @Override
  public void handle(Context context) {
    if (exempt.contains(context.path())) {
      return;
    }
    long length = context.req().getContentLengthLong();
    if (length < 0 && context.header("Transfer-Encoding") != null) {
      throw Refusals.lengthRequired("A request body needs a Content-Length header");
    }
    if (length > maxBytes) {
      throw Refusals.payloadTooLarge(length, maxBytes);
    }
  }
}
