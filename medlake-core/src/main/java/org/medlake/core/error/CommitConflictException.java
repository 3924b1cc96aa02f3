package org.medlake.core.error;

/** A table commit lost against a concurrent writer and could not be retried. */
public class CommitConflictException extends MedlakeException {
  public CommitConflictException(String message, Throwable cause) {
    super(ErrorCode.COMMIT_CONFLICT, message, cause);
  }
}
