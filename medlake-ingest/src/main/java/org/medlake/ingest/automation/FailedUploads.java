package org.medlake.ingest.automation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.medlake.core.config.MedlakeHome;

/**
 * Uploads whose run failed (an unreadable file, a gzip bomb) leave the landing zone for {@code
 * <home>/quarantine/<source>/<YYYY-MM>/}, outside what the watcher and {@code medlake ingest
 * landing/} read, and are deleted {@code ingest.failed-upload-retention-days} after they were moved
 * there (by the scheduled maintenance, and by the server after each quarantine).
 */
public final class FailedUploads {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FailedUploads.class);

  private FailedUploads() {}

  /** The quarantine directory of {@code home}. */
  public static Path directory(MedlakeHome home) {
    return home.root().resolve("quarantine");
  }

  /**
   * Moves {@code file} (below the landing zone) to the quarantine at the same relative path,
   * stamped with the time of the move (its retention starts now); the new path.
   */
  public static Path quarantine(MedlakeHome home, Path file, Instant now) {
    Path landing = home.landing().toAbsolutePath().normalize();
    Path absolute = file.toAbsolutePath().normalize();
    Path relative =
        absolute.startsWith(landing) ? landing.relativize(absolute) : absolute.getFileName();
    Path target = directory(home).resolve(relative);
    try {
      Files.createDirectories(target.getParent());
      Files.move(absolute, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setLastModifiedTime(target, FileTime.from(now));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot quarantine " + relative + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the quarantined files older than the retention, then the directories left empty; the
   * files deleted.
   */
  public static int purge(MedlakeHome home, Instant now) {
    Path directory = directory(home);
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    Instant cutoff = now.minus(Duration.ofDays(home.config().ingest().failedUploadRetentionDays()));
    int deleted = 0;
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(directory)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot list the quarantine: {}", e.getMessage());
      return 0;
    }
    for (Path path : paths) {
      try {
        if (Files.isRegularFile(path)) {
          if (Files.getLastModifiedTime(path).toInstant().isBefore(cutoff)) {
            Files.delete(path);
            deleted++;
          }
        } else if (!path.equals(directory) && isEmpty(path)) {
          Files.delete(path);
        }
      } catch (IOException e) {
        LOG.warn(
            "Cannot delete {} from the quarantine: {}", directory.relativize(path), e.getMessage());
      }
    }
    if (deleted > 0) {
      LOG.info(
          "Deleted {} failed uploads older than {} days from the quarantine",
          deleted,
          home.config().ingest().failedUploadRetentionDays());
    }
    return deleted;
  }

  private static boolean isEmpty(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    }
  }
}
