package org.medlake.server.http;

import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** The API's own errors: authentication, permission, requests it cannot read. */
final class ApiErrors {
  private ApiErrors() {}

  static MedlakeException unauthenticated() {
    return new MedlakeException(
        ErrorCode.UNAUTHENTICATED, "Log in or send an API token (Authorization: Bearer ...)");
  }

  static MedlakeException forbidden(String message) {
    return new MedlakeException(ErrorCode.FORBIDDEN, message);
  }

  static MedlakeException badRequest(String message) {
    return new MedlakeException(ErrorCode.BAD_REQUEST, message);
  }
}
