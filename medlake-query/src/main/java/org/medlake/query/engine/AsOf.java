package org.medlake.query.engine;

import java.time.Instant;
import java.util.Optional;

/**
 * Which version of the tables a query reads: the current snapshot, a snapshot id, or the snapshot
 * current at an instant. A result always names the snapshots it read, so it can be reproduced.
 */
public record AsOf(Optional<Long> snapshotId, Optional<Instant> timestamp) {
  public static final AsOf CURRENT = new AsOf(Optional.empty(), Optional.empty());

  public AsOf {
    if (snapshotId.isPresent() && timestamp.isPresent()) {
      throw new IllegalArgumentException("as-of takes a snapshot id or a timestamp, not both");
    }
  }

  public static AsOf snapshot(long snapshotId) {
    return new AsOf(Optional.of(snapshotId), Optional.empty());
  }

  public static AsOf timestamp(Instant timestamp) {
    return new AsOf(Optional.empty(), Optional.of(timestamp));
  }

  /** Parses {@code --as-of}: a snapshot id (digits) or an ISO instant or local date-time (UTC). */
  public static AsOf parse(String text) {
    if (text.matches("\\d+")) {
      try {
        return snapshot(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw new org.medlake.core.error.ValidationException(
            "--as-of: snapshot id " + text + " is out of range");
      }
    }
    try {
      return timestamp(Instant.parse(text));
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return timestamp(java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC));
      } catch (java.time.format.DateTimeParseException again) {
        throw new org.medlake.core.error.ValidationException(
            "--as-of must be a snapshot id or a timestamp like 2024-06-30T12:00:00Z, not '"
                + text
                + "'");
      }
    }
  }
}
