package org.medlake.core.error;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception type of medlake; its message is a single line meant for the user. The {@link
 * ErrorCode} decides the HTTP status and the exit code; {@link #details()} are values a client may
 * act on (a run id, a limit), and {@link #retryAfter()} how long to wait before trying again (the
 * HTTP {@code Retry-After}).
 */
public class MedlakeException extends RuntimeException {
  private final ErrorCode errorCode;
  private final Map<String, Object> details;
  private final Optional<Duration> retryAfter;

  public MedlakeException(ErrorCode errorCode, String message) {
    this(errorCode, message, (Throwable) null);
  }

  public MedlakeException(ErrorCode errorCode, String message, Throwable cause) {
    this(errorCode, message, Map.of(), Optional.empty(), cause);
  }

  public MedlakeException(ErrorCode errorCode, String message, Map<String, Object> details) {
    this(errorCode, message, details, Optional.empty(), null);
  }

  public MedlakeException(
      ErrorCode errorCode,
      String message,
      Map<String, Object> details,
      Optional<Duration> retryAfter,
      Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
    this.details = Map.copyOf(requireNonNull(details, "details is null"));
    this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  /** Values for the client (the HTTP error body's {@code details}); empty for most errors. */
  public Map<String, Object> details() {
    return details;
  }

  /** How long to wait before trying again, when waiting helps. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /**
   * {@link #retryAfter()} in whole seconds for the {@code Retry-After} header: rounded up, at least
   * one.
   */
  public Optional<Long> retryAfterSeconds() {
    return retryAfter.map(MedlakeException::seconds);
  }

  /** {@code wait} in whole seconds, rounded up, at least one. */
  public static long seconds(Duration wait) {
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
