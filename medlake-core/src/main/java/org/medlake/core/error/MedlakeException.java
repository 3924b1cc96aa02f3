package org.medlake.core.error;

import static java.util.Objects.requireNonNull;

/** The one exception type of medlake; its message is a single line meant for the user. */
public class MedlakeException extends RuntimeException {
  private final ErrorCode errorCode;

  public MedlakeException(ErrorCode errorCode, String message) {
    this(errorCode, message, null);
  }

  public MedlakeException(ErrorCode errorCode, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
  }

  public ErrorCode errorCode() {
    return errorCode;
  }
}
