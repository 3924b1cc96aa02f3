package org.medlake.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * A run's state as a scheduler's sensor reads it: four states, two of them final.
 *
 * @param state {@code queued}, {@code running}, {@code succeeded} (committed, or a DUPLICATE: the
 *     file was stored before) or {@code failed} (FAILED or HELD: nothing was committed)
 * @param done whether the state is final
 * @param reason why a failed run failed or was held (its message, one line); null otherwise
 * @param supersededBy for a held run, the run that later approved, re-ran or replaced it
 */
record RunState(
    @JsonProperty("run_id") String runId,
    @JsonProperty("status") RunStatus status,
    @JsonProperty("state") String state,
    @JsonProperty("done") boolean done,
    @JsonProperty("reason") String reason,
    @JsonProperty("snapshot_id") Long snapshotId,
    @JsonProperty("superseded_by") String supersededBy) {
  RunState {
    requireNonNull(runId, "runId is null");
    requireNonNull(status, "status is null");
    requireNonNull(state, "state is null");
  }

  static RunState of(IngestRun run) {
    String state =
        switch (run.status()) {
          case QUEUED -> "queued";
          case RUNNING -> "running";
          case SUCCEEDED, DUPLICATE -> "succeeded";
          case FAILED, HELD -> "failed";
        };
    boolean failed = state.equals("failed");
    return new RunState(
        run.id(),
        run.status(),
        state,
        failed || state.equals("succeeded"),
        failed ? run.message() : null,
        run.snapshotId(),
        run.supersededBy());
  }
}
