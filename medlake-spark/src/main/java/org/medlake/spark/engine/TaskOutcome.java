package org.medlake.spark.engine;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Optional;
import org.medlake.ingest.pipeline.StagedRun;

/** What a task returns to the driver: the staged run, or the one-line reason its stage failed. */
public final class TaskOutcome implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final StagedRun staged;
  private final String failure;

  private TaskOutcome(String runId, StagedRun staged, String failure) {
    this.runId = requireNonNull(runId, "runId is null");
    this.staged = staged;
    this.failure = failure;
  }

  static TaskOutcome staged(StagedRun staged) {
    return new TaskOutcome(staged.run().id(), staged, null);
  }

  static TaskOutcome failed(String runId, String failure) {
    return new TaskOutcome(runId, null, requireNonNull(failure, "failure is null"));
  }

  public String runId() {
    return runId;
  }

  public Optional<StagedRun> staged() {
    return Optional.ofNullable(staged);
  }

  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }
}
