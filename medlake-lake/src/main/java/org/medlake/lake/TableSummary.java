package org.medlake.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What {@code medlake tables} shows of one table at its current snapshot. */
public record TableSummary(
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("rows") long rows,
    @JsonProperty("data_files") long dataFiles,
    @JsonProperty("bytes_on_disk") long bytesOnDisk,
    @JsonProperty("partitions") long partitions,
    @JsonProperty("snapshots") long snapshots,
    @JsonProperty("current_snapshot_id") Long currentSnapshotId) {
  public TableSummary {
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
  }
}
