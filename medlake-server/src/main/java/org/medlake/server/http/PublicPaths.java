package org.medlake.server.http;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.S3Config;
import org.medlake.core.ledger.IngestRun;

/**
 * No absolute server path in any answer: a run's source file is shown relative to the home (e.g.
 * {@code landing/h001/2025-03/upload-....csv}, as the ledger records files of the home) or, for a
 * file outside it, by its name only; an absolute path inside a message becomes the same. The CLI,
 * which runs on the operator's machine, still shows local paths.
 */
final class PublicPaths {
  /**
   * An absolute path: a slash not after a word character, a dot, a colon or a slash (so {@code
   * s3://b/k} and {@code 1/2} stay).
   */
  private static final Pattern ABSOLUTE =
      Pattern.compile("(?<![\\w.:/\\\\])/(?:[^\\s/'\"`:,;()\\[\\]]+/)+([^\\s/'\"`:,;()\\[\\]]*)");

  private final String root;

  PublicPaths(MedlakeHome home) {
    this.root = home.root().toAbsolutePath().normalize() + "/";
  }

  /** The run as the API shows it. */
  IngestRun run(IngestRun run) {
    String shown = sourceFile(run.sourceFile());
    String message = message(run.message());
    if (shown.equals(run.sourceFile()) && message.equals(run.message())) {
      return run;
    }
    return new IngestRun(
        run.id(),
        shown,
        run.sourceId(),
        run.sha256(),
        run.hospitalId(),
        run.month(),
        run.status(),
        run.startedAt(),
        run.rowsRead(),
        run.rowsAccepted(),
        run.rowsRejected(),
        run.rowsFiltered(),
        run.rejectedByReason(),
        run.bytesIn(),
        run.bytesOut(),
        run.durationMs(),
        run.snapshotId(),
        message,
        run.flaggedByReason(),
        run.unmappedCodes(),
        run.mappingSha256(),
        run.supersededBy());
  }

  String sourceFile(String sourceFile) {
    if (sourceFile == null || S3Config.isS3(sourceFile) || !Path.of(sourceFile).isAbsolute()) {
      return sourceFile;
    }
    if (sourceFile.startsWith(root)) {
      return sourceFile.substring(root.length());
    }
    Path name = Path.of(sourceFile).getFileName();
    return name == null ? "" : name.toString();
  }

  /**
   * {@code message} with the home's root removed from paths and any other absolute path cut to its
   * file name.
   */
  String message(String message) {
    if (message == null || message.indexOf('/') < 0) {
      return message;
    }
    String relative = message.replace(root, "");
    Matcher matcher = ABSOLUTE.matcher(relative);
    StringBuilder shown = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(shown, Matcher.quoteReplacement(matcher.group(1)));
    }
    matcher.appendTail(shown);
    return shown.toString();
  }
}
