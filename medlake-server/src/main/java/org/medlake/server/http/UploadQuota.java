package org.medlake.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.medlake.core.config.IngestConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.ingest.automation.FailedUploads;

/**
 * The bounds of one upload: its size on the wire ({@code ingest.max-upload-bytes}), its hospital's
 * deliveries in the last 24 hours ({@code ingest.max-hospital-bytes-per-day}: the bytes of the
 * files below {@code landing/<source>/} and {@code quarantine/<source>/} written in that window,
 * however they arrived), and the free space of the landing and warehouse disks ({@code
 * ingest.disk-reserve-bytes}), checked before the body is read (with its Content-Length) and again
 * while it is written. The decompressed size stays bounded by {@code
 * ingest.max-decompressed-bytes}, which the ingest checks.
 */
final class UploadQuota {
  /** While a body is written, the disk is checked again after this many bytes. */
  static final long CHECK_EVERY_BYTES = 8L << 20;

  private static final Duration WINDOW = Duration.ofDays(1);

  private final MedlakeHome home;
  private final IngestConfig config;
  private final long deliveredToday;

  UploadQuota(MedlakeHome home, String source, Instant now) {
    this.home = home;
    this.config = home.config().ingest();
    Instant since = now.minus(WINDOW);
    this.deliveredToday =
        bytesSince(home.landing().resolve(source), since)
            + bytesSince(FailedUploads.directory(home).resolve(source), since);
  }

  long maxUploadBytes() {
    return config.maxUploadBytes();
  }

  /**
   * Before the body is read: {@code declared} is its Content-Length, or -1 when not given (a
   * chunked body).
   */
  void check(long declared) {
    if (declared > 0) {
      checkSize(declared);
    }
    checkDisk(Math.max(0, declared));
  }

  /** While the body is written: {@code written} bytes so far (the disk already holds them). */
  void checkWritten(long written) {
    checkSize(written);
    checkDisk(0);
  }

  private void checkSize(long bytes) {
    if (bytes > config.maxUploadBytes()) {
      throw new MedlakeException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "The upload is larger than "
              + config.maxUploadBytes()
              + " bytes (ingest.max-upload-bytes)");
    }
    if (deliveredToday + bytes > config.maxHospitalBytesPerDay()) {
      throw new MedlakeException(
          ErrorCode.UPLOAD_QUOTA_EXCEEDED,
          "The hospital delivered "
              + deliveredToday
              + " bytes in the last 24 hours; with this upload it"
              + " would exceed "
              + config.maxHospitalBytesPerDay()
              + " (ingest.max-hospital-bytes-per-day)");
    }
  }

  private void checkDisk(long incoming) {
    for (Path directory : new Path[] {home.landing(), home.warehouse()}) {
      long usable;
      try {
        usable = Files.getFileStore(directory).getUsableSpace();
      } catch (IOException e) {
        continue; // an object-store warehouse has no local directory to measure
      }
      if (usable - incoming < config.diskReserveBytes()) {
        throw new MedlakeException(
            ErrorCode.INSUFFICIENT_STORAGE,
            "Not enough free disk space for the upload: the server keeps "
                + config.diskReserveBytes()
                + " bytes free (ingest.disk-reserve-bytes); try again later");
      }
    }
  }

  private static long bytesSince(Path directory, Instant since) {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile)
          .mapToLong(
              file -> {
                try {
                  return Files.getLastModifiedTime(file).toInstant().isAfter(since)
                      ? Files.size(file)
                      : 0;
                } catch (IOException e) {
                  return 0; // gone meanwhile
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}
