package org.medlake.server.limits;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** The errors of requests the limits refuse before (or instead of) handling them. */
final class Refusals {
  private Refusals() {}

  static MedlakeException forbidden(String message) {
    return new MedlakeException(ErrorCode.FORBIDDEN, message);
  }

  static MedlakeException badRequest(String message) {
    return new MedlakeException(ErrorCode.BAD_REQUEST, message);
  }

  static MedlakeException lengthRequired(String message) {
    return new MedlakeException(ErrorCode.LENGTH_REQUIRED, message);
  }

  static MedlakeException payloadTooLarge(long bytes, long maxBytes) {
    return new MedlakeException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "The request body has " + bytes + " bytes; at most " + maxBytes + " are accepted",
        Map.of("max_request_bytes", maxBytes));
  }

  static MedlakeException rateLimited(String message, Duration retryAfter) {
    return new MedlakeException(
        ErrorCode.RATE_LIMITED,
        message,
        Map.of("retry_after_seconds", MedlakeException.seconds(retryAfter)),
        Optional.of(retryAfter),
        null);
  }
}
