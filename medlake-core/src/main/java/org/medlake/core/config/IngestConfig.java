package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Settings of the ingestion pipeline.
 *
 * @param compression Parquet compression codec: zstd, snappy or gzip
 * @param memoryLimit DuckDB memory limit for one ingest, e.g. {@code 2GB}
 * @param threads DuckDB worker threads
 * @param maxDecompressedBytes a gzip file that inflates beyond this is refused (gzip-bomb guard)
 * @param maxLineBytes a row longer than this is rejected as LINE_TOO_LONG
 * @param maxLinesPerRecord a quoted field may span at most this many lines
 * @param vaultBatch distinct local ids linked in one link-vault transaction: bounds the memory an
 *     ingest holds for pseudonymization, however many ids a file has
 * @param chunkRows a file with more records is processed in chunks of about this many (cut at
 *     line-index points, multiples of 1,024 lines), so that an ingest's memory does not grow with
 *     the file; each chunk writes its own Parquet files, and all of them are committed at once
 * @param hold when a run is held instead of committed ({@code ingest.hold})
 * @param workers ingestion jobs one process runs at once ({@code ingest.workers}): the workers of
 *     its one ingestion queue, which uploads, approvals, the watcher and the schedules all submit
 *     to
 * @param queueCapacity jobs that may wait for a worker ({@code ingest.queue-capacity}); an upload
 *     beyond them is refused with 503 and {@code Retry-After}
 * @param maxUploadBytes an upload larger than this on the wire is refused ({@code
 *     ingest.max-upload-bytes})
 * @param maxHospitalBytesPerDay bytes one hospital may have delivered into the landing zone (and
 *     quarantine) in the last 24 hours; an upload beyond them is refused ({@code
 *     ingest.max-hospital-bytes-per-day})
 * @param diskReserveBytes free space the landing and warehouse disks keep: an upload that would
 *     leave less is refused, before and while it is written ({@code ingest.disk-reserve-bytes})
 * @param failedUploadRetentionDays a failed upload is kept in {@code quarantine/} this many days,
 *     then deleted ({@code ingest.failed-upload-retention-days})
 * @param landingLocation where hospitals deliver, as {@code <source>/<YYYY-MM>/<file>} below it: an
 *     object-store prefix {@code s3://bucket[/prefix]} ({@code ingest.landing-location}); empty
 *     means the home's {@code landing/}. The orchestrators' trigger ({@code POST
 *     /api/v1/runs/trigger}) looks there
 */
public record IngestConfig(
    String compression,
    String memoryLimit,
    int threads,
    long maxDecompressedBytes,
    long maxLineBytes,
    int maxLinesPerRecord,
    int vaultBatch,
    int chunkRows,
    HoldConfig hold,
    int workers,
    int queueCapacity,
    long maxUploadBytes,
    long maxHospitalBytesPerDay,
    long diskReserveBytes,
    int failedUploadRetentionDays,
    Optional<String> landingLocation) {
  private static final Set<String> CODECS = Set.of("zstd", "snappy", "gzip");

  public IngestConfig {
    requireNonNull(compression, "compression is null");
    requireNonNull(memoryLimit, "memoryLimit is null");
    compression = compression.toLowerCase(Locale.ROOT);
    if (!CODECS.contains(compression)) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "ingest.compression must be one of zstd, snappy, gzip, not '" + compression + "'");
    }
    if (!memoryLimit.matches("(?i)\\d+(\\.\\d+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "ingest.memory-limit must look like 2GB, not '" + memoryLimit + "'");
    }
    positive("ingest.threads", threads);
    positive("ingest.max-decompressed-bytes", maxDecompressedBytes);
    positive("ingest.max-line-bytes", maxLineBytes);
    positive("ingest.max-lines-per-record", maxLinesPerRecord);
    positive("ingest.vault-batch", vaultBatch);
    positive("ingest.chunk-rows", chunkRows);
    requireNonNull(hold, "hold is null");
    positive("ingest.workers", workers);
    positive("ingest.queue-capacity", queueCapacity);
    positive("ingest.max-upload-bytes", maxUploadBytes);
    positive("ingest.max-hospital-bytes-per-day", maxHospitalBytesPerDay);
    if (diskReserveBytes < 0) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "ingest.disk-reserve-bytes must not be negative, not " + diskReserveBytes);
    }
    positive("ingest.failed-upload-retention-days", failedUploadRetentionDays);
    requireNonNull(landingLocation, "landingLocation is null");
    landingLocation = landingLocation.map(IngestConfig::landingLocation);
  }

  /** An {@code s3://bucket[/prefix]} location, without a trailing slash. */
  private static String landingLocation(String location) {
    String trimmed = location.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (!trimmed.startsWith("s3://") || trimmed.length() <= "s3://".length()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "ingest.landing-location must be an s3://bucket/prefix location, not '"
              + location
              + "' (leave it unset for the home's landing/)");
    }
    return trimmed;
  }

  /** As this, with the queue's and the uploads' settings given (tests, benchmarks). */
  public IngestConfig withUploads(
      int newWorkers,
      int newQueueCapacity,
      long newMaxUploadBytes,
      long newMaxHospitalBytesPerDay,
      long newDiskReserveBytes,
      int newFailedUploadRetentionDays) {
    return new IngestConfig(
        compression,
        memoryLimit,
        threads,
        maxDecompressedBytes,
        maxLineBytes,
        maxLinesPerRecord,
        vaultBatch,
        chunkRows,
        hold,
        newWorkers,
        newQueueCapacity,
        newMaxUploadBytes,
        newMaxHospitalBytesPerDay,
        newDiskReserveBytes,
        newFailedUploadRetentionDays,
        landingLocation);
  }

  public static IngestConfig defaults() {
    return new IngestConfig(
        "zstd",
        "2GB",
        2,
        64L << 30,
        8L << 20,
        20,
        100_000,
        1_000_000,
        HoldConfig.defaults(),
        1,
        16,
        2L << 30,
        20L << 30,
        1L << 30,
        30,
        Optional.empty());
  }

  @JsonCreator
  static IngestConfig fromYaml(
      @JsonProperty("compression") String compression,
      @JsonProperty("memory-limit") String memoryLimit,
      @JsonProperty("threads") Integer threads,
      @JsonProperty("max-decompressed-bytes") Long maxDecompressedBytes,
      @JsonProperty("max-line-bytes") Long maxLineBytes,
      @JsonProperty("max-lines-per-record") Integer maxLinesPerRecord,
      @JsonProperty("vault-batch") Integer vaultBatch,
      @JsonProperty("chunk-rows") Integer chunkRows,
      @JsonProperty("hold") HoldConfig hold,
      @JsonProperty("workers") Integer workers,
      @JsonProperty("queue-capacity") Integer queueCapacity,
      @JsonProperty("max-upload-bytes") String maxUploadBytes,
      @JsonProperty("max-hospital-bytes-per-day") String maxHospitalBytesPerDay,
      @JsonProperty("disk-reserve-bytes") String diskReserveBytes,
      @JsonProperty("failed-upload-retention-days") Integer failedUploadRetentionDays,
      @JsonProperty("landing-location") String landingLocation) {
    IngestConfig defaults = defaults();
    return new IngestConfig(
        compression == null ? defaults.compression() : compression,
        memoryLimit == null ? defaults.memoryLimit() : memoryLimit,
        threads == null ? defaults.threads() : threads,
        maxDecompressedBytes == null ? defaults.maxDecompressedBytes() : maxDecompressedBytes,
        maxLineBytes == null ? defaults.maxLineBytes() : maxLineBytes,
        maxLinesPerRecord == null ? defaults.maxLinesPerRecord() : maxLinesPerRecord,
        vaultBatch == null ? defaults.vaultBatch() : vaultBatch,
        chunkRows == null ? defaults.chunkRows() : chunkRows,
        hold == null ? defaults.hold() : hold,
        workers == null ? defaults.workers() : workers,
        queueCapacity == null ? defaults.queueCapacity() : queueCapacity,
        maxUploadBytes == null
            ? defaults.maxUploadBytes()
            : ByteSize.parse("ingest.max-upload-bytes", maxUploadBytes),
        maxHospitalBytesPerDay == null
            ? defaults.maxHospitalBytesPerDay()
            : ByteSize.parse("ingest.max-hospital-bytes-per-day", maxHospitalBytesPerDay),
        diskReserveBytes == null
            ? defaults.diskReserveBytes()
            : ByteSize.parse("ingest.disk-reserve-bytes", diskReserveBytes),
        failedUploadRetentionDays == null
            ? defaults.failedUploadRetentionDays()
            : failedUploadRetentionDays,
        Optional.ofNullable(landingLocation).filter(location -> !location.isBlank()));
  }

  static void positive(String key, long value) {
    if (value <= 0) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, key + " must be positive, not " + value);
    }
  }
}
