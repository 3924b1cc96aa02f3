package org.medlake.server.http;

/** An error the API answers with a status of its own: authentication, permission, bad requests. */
final class HttpError extends RuntimeException {
  private final int status;
  private final String code;

  HttpError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  static HttpError unauthenticated() {
    return new HttpError(401, "UNAUTHENTICATED", "Log in or send an API token (Authorization: Bearer ...)");
  }

  static HttpError forbidden(String message) {
    return new HttpError(403, "FORBIDDEN", message);
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, "BAD_REQUEST", message);
  }
}
