package org.medlake.core.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The record of one ingestion run. {@code rowsRead == rowsAccepted + rowsRejected} always; rows the
 * source mapping's filter drops are counted in {@code rowsFiltered} and are not rows read.
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
    @JsonProperty("message") String message) {
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
  }

  public Optional<Long> snapshot() {
    return Optional.ofNullable(snapshotId);
  }
}
