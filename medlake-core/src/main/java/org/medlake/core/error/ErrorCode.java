package org.medlake.core.error;

import static java.util.Objects.requireNonNull;

/** Stable error codes; the name is part of the CLI's JSON output and the HTTP error body. */
public enum ErrorCode {
  INVALID_ARGUMENT(ErrorType.USER),
  INVALID_CONFIG(ErrorType.USER),
  INVALID_SOURCE_MAPPING(ErrorType.USER),
  UNREADABLE_FILE(ErrorType.USER),
  NOT_FOUND(ErrorType.USER),
  QUERY_REFUSED(ErrorType.USER),
  BUDGET_EXCEEDED(ErrorType.USER),
  QUERY_LIMIT_EXCEEDED(ErrorType.USER),
  /** An approval of a run that is not (or no longer) held. */
  RUN_NOT_HELD(ErrorType.USER),
  COMMIT_CONFLICT(ErrorType.EXTERNAL),
  STORAGE_ERROR(ErrorType.EXTERNAL),
  INTERNAL_ERROR(ErrorType.INTERNAL);

  private final ErrorType type;

  ErrorCode(ErrorType type) {
    this.type = requireNonNull(type, "type is null");
  }

  public ErrorType type() {
    return type;
  }
}
