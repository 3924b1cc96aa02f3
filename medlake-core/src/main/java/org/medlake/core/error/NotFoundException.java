package org.medlake.core.error;

/** A named thing (table, run, source, snapshot) does not exist. */
public class NotFoundException extends MedlakeException {
  public NotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }
}
