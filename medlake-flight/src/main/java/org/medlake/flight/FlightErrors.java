package org.medlake.flight;

import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The one place errors become Flight statuses: a {@link MedlakeException} keeps the one-line
 * message the HTTP API answers with (paths made public), under the status closest to its HTTP one;
 * anything else is an internal error that names no cause, logged with its stack trace.
 */
final class FlightErrors {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FlightErrors.class);
  static final String INTERNAL_MESSAGE = "Internal error; see the server log";

  private FlightErrors() {}

  static FlightRuntimeException toFlight(RuntimeException error, FlightAccess access) {
    if (error instanceof FlightRuntimeException flight) {
      return flight;
    }
    if (error instanceof MedlakeException medlake) {
      return status(medlake.errorCode())
          .withDescription(access.publicMessage(oneLine(medlake.getMessage())))
          .toRuntimeException();
    }
    LOG.error("Flight SQL call failed", error);
    return CallStatus.INTERNAL.withDescription(INTERNAL_MESSAGE).toRuntimeException();
  }

  /** The error code the audit records for {@code error}. */
  static String code(RuntimeException error) {
    return error instanceof MedlakeException medlake
        ? medlake.errorCode().name()
        : ErrorCode.INTERNAL_ERROR.name();
  }

  static CallStatus status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT,
          INVALID_CONFIG,
          INVALID_SOURCE_MAPPING,
          UNREADABLE_FILE,
          QUERY_REFUSED,
          BAD_REQUEST,
          LENGTH_REQUIRED ->
          CallStatus.INVALID_ARGUMENT;
      case NOT_FOUND -> CallStatus.NOT_FOUND;
      case BUDGET_EXCEEDED,
          QUERY_LIMIT_EXCEEDED,
          EXPORT_TOO_LARGE,
          PAYLOAD_TOO_LARGE,
          RATE_LIMITED,
          UPLOAD_QUOTA_EXCEEDED,
          INSUFFICIENT_STORAGE ->
          CallStatus.RESOURCE_EXHAUSTED;
      case RUN_NOT_HELD, INGEST_FAILED -> CallStatus.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> CallStatus.UNAUTHENTICATED;
      case FORBIDDEN -> CallStatus.UNAUTHORIZED;
      case COMMIT_CONFLICT, VERSION_CONFLICT -> CallStatus.ALREADY_EXISTS;
      case STORAGE_ERROR, QUEUE_FULL -> CallStatus.UNAVAILABLE;
      case INTERNAL_ERROR -> CallStatus.INTERNAL;
    };
  }

  static String oneLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
