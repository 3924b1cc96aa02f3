package org.medlake.server.limits;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A request the limits refuse before (or instead of) handling it. The server maps it to its error
 * body, with a {@code Retry-After} header when there is a time to wait.
 */
public final class RequestRefusedException extends RuntimeException {
  private final int status;
  private final String code;
  private final Optional<Duration> retryAfter;
  private final Map<String, Object> details;

  private RequestRefusedException(int status, String code, String message, Optional<Duration> retryAfter, Map<String, Object> details) {
    super(requireNonNull(message, "message is null"));
    this.status = status;
    this.code = requireNonNull(code, "code is null");
    this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
    this.details = Map.copyOf(details);
  }

  static RequestRefusedException forbidden(String message) {
    return new RequestRefusedException(403, "FORBIDDEN", message, Optional.empty(), Map.of());
  }

  static RequestRefusedException badRequest(String message) {
    return new RequestRefusedException(400, "BAD_REQUEST", message, Optional.empty(), Map.of());
  }

  static RequestRefusedException lengthRequired(String message) {
    return new RequestRefusedException(411, "LENGTH_REQUIRED", message, Optional.empty(), Map.of());
  }

  static RequestRefusedException payloadTooLarge(long bytes, long maxBytes) {
    return new RequestRefusedException(413, "PAYLOAD_TOO_LARGE",
        "The request body has " + bytes + " bytes; at most " + maxBytes + " are accepted", Optional.empty(),
        Map.of("max_request_bytes", maxBytes));
  }

  static RequestRefusedException rateLimited(String message, Duration retryAfter) {
    return new RequestRefusedException(429, "RATE_LIMITED", message, Optional.of(retryAfter),
        Map.of("retry_after_seconds", retryAfterSeconds(retryAfter)));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** For the {@code Retry-After} header: whole seconds, rounded up, at least one. */
  public Optional<Long> retryAfterSeconds() {
    return retryAfter.map(RequestRefusedException::retryAfterSeconds);
  }

  public Map<String, Object> details() {
    return details;
  }

  private static long retryAfterSeconds(Duration wait) {
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
