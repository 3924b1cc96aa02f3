package org.medlake.server.http;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;
import org.medlake.core.error.MedlakeException;

/**
 * The one place errors become HTTP answers: a {@link MedlakeException} answers its code's status
 * with the {@link ErrorBody} (one line, no absolute server path, its details, {@code Retry-After}
 * when it names a wait); anything else is a 500 that names no cause, logged with its stack trace.
 */
final class ErrorMapper {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ErrorMapper.class);

  private final PublicPaths paths;

  ErrorMapper(PublicPaths paths) {
    this.paths = requireNonNull(paths, "paths is null");
  }

  void install(Javalin app) {
    app.exception(MedlakeException.class, (error, context) -> answer(context, error));
    app.exception(
        Exception.class,
        (error, context) -> {
          LOG.error("Request {} {} failed", context.method(), context.path(), error);
          context.attribute(AuditTrail.ERROR_CODE, "INTERNAL_ERROR");
          context
              .status(500)
              .json(
                  new ErrorBody("INTERNAL_ERROR", "Internal error; see the server log", Map.of()));
        });
    // a path nobody routes: Javalin has written its own plain-text answer by now (a
    // MedlakeException's answer is marked with its code and stays as it is)
    app.error(
        404,
        context -> {
          if (context.attribute(AuditTrail.ERROR_CODE) == null) {
            context.attribute(AuditTrail.ERROR_CODE, "NOT_FOUND");
            context.json(
                new ErrorBody(
                    "NOT_FOUND",
                    "No such endpoint: " + context.method() + " " + context.path(),
                    Map.of()));
          }
        });
  }

  /** Answers {@code error}; for handlers that answer an error without throwing it. */
  void answer(Context context, MedlakeException error) {
    String code = error.errorCode().name();
    context.attribute(AuditTrail.ERROR_CODE, code);
    error
        .retryAfterSeconds()
        .ifPresent(seconds -> context.header("Retry-After", Long.toString(seconds)));
    context
        .status(error.errorCode().httpStatus())
        .json(new ErrorBody(code, paths.message(oneLine(error.getMessage())), error.details()));
  }

  static String oneLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
