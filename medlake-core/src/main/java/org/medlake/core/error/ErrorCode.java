package org.medlake.core.error;

import static java.util.Objects.requireNonNull;

/**
 * Stable error codes; the name is part of the CLI's JSON output and the HTTP error body. Each code
 * carries the HTTP status the server answers with; the CLI's exit code follows from its {@link
 * ErrorType}.
 */
public enum ErrorCode {
  INVALID_ARGUMENT(ErrorType.USER, 400),
  INVALID_CONFIG(ErrorType.USER, 400),
  INVALID_SOURCE_MAPPING(ErrorType.USER, 400),
  UNREADABLE_FILE(ErrorType.USER, 400),
  NOT_FOUND(ErrorType.USER, 404),
  QUERY_REFUSED(ErrorType.USER, 400),
  BUDGET_EXCEEDED(ErrorType.USER, 422),
  QUERY_LIMIT_EXCEEDED(ErrorType.USER, 422),
  /** An approval of a run that is not (or no longer) held. */
  RUN_NOT_HELD(ErrorType.USER, 409),
  /** An edit that started from a version that is no longer the current one (a dashboard's). */
  VERSION_CONFLICT(ErrorType.USER, 409),
  /** A request the API cannot read: a missing or malformed parameter or body. */
  BAD_REQUEST(ErrorType.USER, 400),
  /** No valid session or API token, or a wrong password. */
  UNAUTHENTICATED(ErrorType.USER, 401),
  /** The caller's role, hospital or address may not do this. */
  FORBIDDEN(ErrorType.USER, 403),
  /** A request body without a Content-Length. */
  LENGTH_REQUIRED(ErrorType.USER, 411),
  /** A request body or upload over its limit. */
  PAYLOAD_TOO_LARGE(ErrorType.USER, 413),
  /** An export with more rows than the caller's role may export. */
  EXPORT_TOO_LARGE(ErrorType.USER, 422),
  /** A run of the request failed; the error's details name it. */
  INGEST_FAILED(ErrorType.USER, 422),
  /** Too many requests or logins in a window; the error says when to try again. */
  RATE_LIMITED(ErrorType.USER, 429),
  /** A hospital delivered more than {@code ingest.max-hospital-bytes-per-day}. */
  UPLOAD_QUOTA_EXCEEDED(ErrorType.USER, 429),
  COMMIT_CONFLICT(ErrorType.EXTERNAL, 409),
  STORAGE_ERROR(ErrorType.EXTERNAL, 503),
  /**
   * The ingestion queue holds {@code ingest.queue-capacity} jobs already; the error says when to
   * try again.
   */
  QUEUE_FULL(ErrorType.EXTERNAL, 503),
  /** Storing the upload would leave less than {@code ingest.disk-reserve-bytes} free. */
  INSUFFICIENT_STORAGE(ErrorType.EXTERNAL, 507),
  INTERNAL_ERROR(ErrorType.INTERNAL, 500);

  private final ErrorType type;
  private final int httpStatus;

  ErrorCode(ErrorType type, int httpStatus) {
    this.type = requireNonNull(type, "type is null");
    this.httpStatus = httpStatus;
  }

  public ErrorType type() {
    return type;
  }

  /** The status of the HTTP answer that carries this error. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The exit code of a command that ends with this error: 2 the user's input, 3 an external system,
   * 4 internal.
   */
  public int exitCode() {
    return switch (type) {
      case USER -> 2;
      case EXTERNAL -> 3;
      case INTERNAL -> 4;
    };
  }
}
