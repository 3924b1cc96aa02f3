package org.medlake.core.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The record of one ingestion run. {@code rowsRead == rowsAccepted + rowsRejected} always; rows the
 * source mapping's filter drops are counted in {@code rowsFiltered} and are not rows read.
 *
 * @param flaggedByReason rows stored with a flag (not rejected) by flag code, e.g. {@code
 *     UNMAPPED_CODE}
 * @param unmappedCodes the local codes without a standard code, with their row counts: the most
 *     frequent first (at most 20 are kept)
 * @param mappingSha256 SHA-256 of the source mapping (and its dictionary) the run used; empty when
 *     unknown
 * @param supersededBy for a {@link RunStatus#HELD} run, the run that later committed the file (an
 *     approval or a re-run) or replaced its hospital-month; null while the hold is open
 */
public record IngestRun(
    @JsonProperty("id") String id,
    @JsonProperty("source_file") String sourceFile,
    @JsonProperty("source_id") String sourceId,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("hospital_id") String hospitalId,
    @JsonProperty("month") String month,
    @JsonProperty("status") RunStatus status,
    @JsonProperty("started_at") Instant startedAt,
    @JsonProperty("rows_read") long rowsRead,
    @JsonProperty("rows_accepted") long rowsAccepted,
    @JsonProperty("rows_rejected") long rowsRejected,
    @JsonProperty("rows_filtered") long rowsFiltered,
    @JsonProperty("rejected_by_reason") Map<String, Long> rejectedByReason,
    @JsonProperty("bytes_in") long bytesIn,
    @JsonProperty("bytes_out") long bytesOut,
    @JsonProperty("duration_ms") long durationMs,
    @JsonProperty("snapshot_id") Long snapshotId,
    @JsonProperty("message") String message,
    @JsonProperty("flagged_by_reason") Map<String, Long> flaggedByReason,
    @JsonProperty("unmapped_codes") Map<String, Long> unmappedCodes,
    @JsonProperty("mapping_sha256") String mappingSha256,
    @JsonProperty("superseded_by") String supersededBy)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** How many unmapped local codes a run keeps, the most frequent. */
  public static final int UNMAPPED_CODES_KEPT = 20;

  public IngestRun {
    requireNonNull(id, "id is null");
    requireNonNull(sourceFile, "sourceFile is null");
    requireNonNull(sourceId, "sourceId is null");
    requireNonNull(sha256, "sha256 is null");
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(month, "month is null");
    requireNonNull(status, "status is null");
    requireNonNull(startedAt, "startedAt is null");
    rejectedByReason = Map.copyOf(rejectedByReason);
    requireNonNull(message, "message is null");
    flaggedByReason = Collections.unmodifiableMap(new TreeMap<>(flaggedByReason));
    unmappedCodes = mostFrequent(unmappedCodes);
    requireNonNull(mappingSha256, "mappingSha256 is null");
  }

  /** A run without flags, unmapped codes, mapping checksum or successor. */
  public IngestRun(
      String id,
      String sourceFile,
      String sourceId,
      String sha256,
      String hospitalId,
      String month,
      RunStatus status,
      Instant startedAt,
      long rowsRead,
      long rowsAccepted,
      long rowsRejected,
      long rowsFiltered,
      Map<String, Long> rejectedByReason,
      long bytesIn,
      long bytesOut,
      long durationMs,
      Long snapshotId,
      String message) {
    this(
        id,
        sourceFile,
        sourceId,
        sha256,
        hospitalId,
        month,
        status,
        startedAt,
        rowsRead,
        rowsAccepted,
        rowsRejected,
        rowsFiltered,
        rejectedByReason,
        bytesIn,
        bytesOut,
        durationMs,
        snapshotId,
        message,
        Map.of(),
        Map.of(),
        "",
        null);
  }

  public Optional<Long> snapshot() {
    return Optional.ofNullable(snapshotId);
  }

  /** The run that superseded this held run, if one did. */
  public Optional<String> successor() {
    return Optional.ofNullable(supersededBy);
  }

  /** A {@link RunStatus#HELD} run nobody has approved or superseded yet. */
  public boolean openHold() {
    return status == RunStatus.HELD && supersededBy == null;
  }

  /** This run with another status, message and duration; the counts stay. */
  public IngestRun withOutcome(RunStatus newStatus, String newMessage, long newDurationMs) {
    return new IngestRun(
        id,
        sourceFile,
        sourceId,
        sha256,
        hospitalId,
        month,
        newStatus,
        startedAt,
        rowsRead,
        rowsAccepted,
        rowsRejected,
        rowsFiltered,
        rejectedByReason,
        bytesIn,
        bytesOut,
        newDurationMs,
        snapshotId,
        newMessage,
        flaggedByReason,
        unmappedCodes,
        mappingSha256,
        supersededBy);
  }

  /** This run with the mapping checksum it used. */
  public IngestRun withMapping(String newMappingSha256) {
    return new IngestRun(
        id,
        sourceFile,
        sourceId,
        sha256,
        hospitalId,
        month,
        status,
        startedAt,
        rowsRead,
        rowsAccepted,
        rowsRejected,
        rowsFiltered,
        rejectedByReason,
        bytesIn,
        bytesOut,
        durationMs,
        snapshotId,
        message,
        flaggedByReason,
        unmappedCodes,
        newMappingSha256,
        supersededBy);
  }

  /**
   * This (held) run superseded by {@code successorId}, with {@code note} appended to its message.
   */
  public IngestRun superseded(String successorId, String note) {
    return new IngestRun(
        id,
        sourceFile,
        sourceId,
        sha256,
        hospitalId,
        month,
        status,
        startedAt,
        rowsRead,
        rowsAccepted,
        rowsRejected,
        rowsFiltered,
        rejectedByReason,
        bytesIn,
        bytesOut,
        durationMs,
        snapshotId,
        message.isEmpty() ? note : message + "; " + note,
        flaggedByReason,
        unmappedCodes,
        mappingSha256,
        requireNonNull(successorId, "successorId is null"));
  }

  /** The codes by row count, most first (ties by code), at most {@link #UNMAPPED_CODES_KEPT}. */
  private static Map<String, Long> mostFrequent(Map<String, Long> codes) {
    Map<String, Long> kept = new LinkedHashMap<>();
    codes.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(UNMAPPED_CODES_KEPT)
        .forEach(
            entry ->
                kept.put(
                    requireNonNull(entry.getKey(), "unmapped code is null"),
                    requireNonNull(entry.getValue(), "count is null")));
    return Collections.unmodifiableMap(kept);
  }
}
