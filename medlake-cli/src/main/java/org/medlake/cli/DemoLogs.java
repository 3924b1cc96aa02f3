package org.medlake.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends the logs of {@code medlake demo} (server start, one JSON audit line per login and query) to
 * a file instead of standard error, so that the demo's last lines, the URL and the admin password,
 * stay the last lines of the terminal. Same format as on standard error ({@code
 * MEDLAKE_LOG_FORMAT}).
 */
final class DemoLogs {
  private DemoLogs() {}

  /**
   * Redirects every log line to {@code file} (appended), in the format the environment asks for;
   * returns it.
   */
  static Path toFile(Path file, org.medlake.core.config.Environment environment) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return file;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Encoder<ILoggingEvent> encoder;
    if (environment.get("MEDLAKE_LOG_FORMAT").filter("json"::equals).isPresent()) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithContext(false);
      json.setWithNanoseconds(false);
      json.setWithArguments(false);
      json.setWithMessage(false);
      json.setWithFormattedMessage(true);
      encoder = json;
    } else {
      PatternLayoutEncoder pattern = new PatternLayoutEncoder();
      pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %logger{0}: %msg%n");
      encoder = pattern;
    }
    encoder.setContext(context);
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("demo-file");
    appender.setFile(file.toAbsolutePath().toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    return file;
  }
}
