package org.medlake.core.error;

/** Input from the user (arguments, configuration, mappings) is invalid. */
public class ValidationException extends MedlakeException {
  public ValidationException(ErrorCode errorCode, String message) {
    super(errorCode, message);
  }

  public ValidationException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }
}
