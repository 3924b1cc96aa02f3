package org.medlake.core.ledger;

/** Life cycle of an ingestion run. */
public enum RunStatus {
  RUNNING,
  /** Committed; the snapshot id names the commit. */
  SUCCEEDED,
  /** The file had been ingested before (same SHA-256); nothing was added. */
  DUPLICATE,
  /** Nothing was committed; the message says why. */
  FAILED
}
