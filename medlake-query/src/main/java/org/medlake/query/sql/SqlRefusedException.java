package org.medlake.query.sql;

import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** An analyst's SQL was refused by the {@link SqlGuard} before anything ran. */
public class SqlRefusedException extends MedlakeException {
  public SqlRefusedException(String message) {
    super(ErrorCode.QUERY_REFUSED, message);
  }

  /**
   * A refusal with its own code, e.g. {@link ErrorCode#QUERY_LIMIT_EXCEEDED} for a query over a
   * resource limit.
   */
  protected SqlRefusedException(ErrorCode code, String message) {
    super(code, message);
  }
}
