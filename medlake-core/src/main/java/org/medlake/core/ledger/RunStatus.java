package org.medlake.core.ledger;

/** Life cycle of an ingestion run. */
public enum RunStatus {
  /** Accepted (an upload) and waiting on the ingestion queue; nothing of the file was read yet. */
  QUEUED,
  RUNNING,
  /** Committed; the snapshot id names the commit. */
  SUCCEEDED,
  /** The file had been ingested before (same SHA-256); nothing was added. */
  DUPLICATE,
  /** Nothing was committed; the message says why. */
  FAILED,
  /**
   * Nothing was committed because the run would have shrunk or wiped stored data (no row accepted,
   * most rows rejected, or a much smaller replacement of a hospital-month); the message says why.
   * The file does not count as ingested: a re-run after the mapping is fixed runs again, and {@code
   * medlake runs approve} commits it as it is. Once either happened, {@code superseded_by} names
   * the run that did.
   */
  HELD
}
