import type { IngestRun } from "./types";

/** Held runs nobody has approved or superseded yet (they wait for a fixed mapping or an admin), oldest first. */
export function openHolds(runs: IngestRun[]): IngestRun[] {
  return runs
    .filter((run) => run.status === "HELD" && (run.superseded_by ?? null) === null)
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
}

/** Whether a run has its outcome: not QUEUED on the server's ingestion queue nor RUNNING. */
export function runEnded(run: IngestRun): boolean {
  return run.status !== "QUEUED" && run.status !== "RUNNING";
}

/**
 * A run that committed but stored no row (every row of its file rejected or filtered, e.g. an
 * approved hold, or holds switched off): it says "succeeded" but is not shown as a success.
 */
export function storedNothing(run: IngestRun): boolean {
  return run.status === "SUCCEEDED" && run.rows_accepted === 0;
}

/** The status as shown: a held run that a later run settled says by which; a run that stored nothing says so. */
export function statusLabel(run: IngestRun): string {
  const status = run.status.toLowerCase();
  if (storedNothing(run)) {
    return `${status}, 0 rows stored`;
  }
  return run.status === "HELD" && run.superseded_by ? `${status}, settled by ${run.superseded_by}` : status;
}

/**
 * The badge's style: only a run that stored rows is green; an open hold stands out; a settled one is
 * neutral (neither succeeded nor failed); a run that stored nothing is a warning.
 */
export function statusClass(run: IngestRun): string {
  if (run.status === "HELD") {
    return run.superseded_by ? "badge badge-settled" : "badge badge-held";
  }
  if (storedNothing(run)) {
    return "badge badge-empty";
  }
  return "badge badge-" + run.status.toLowerCase();
}

/** How an ended run's outcome reads: a success only when it committed rows; held, failed or empty never. */
export function outcomeTone(run: IngestRun): "success" | "warning" | "error" | "neutral" {
  if (run.status === "FAILED") {
    return "error";
  }
  if (run.status === "HELD" || storedNothing(run)) {
    return "warning";
  }
  return run.status === "SUCCEEDED" ? "success" : "neutral";
}

/** The row accounting of the data contract: file rows = read + filtered, read = accepted + rejected. */
export function rowAccounting(run: IngestRun): { fileRows: number; readAddsUp: boolean; partsOfRead: number } {
  const partsOfRead = run.rows_accepted + run.rows_rejected;
  return { fileRows: run.rows_read + run.rows_filtered, readAddsUp: partsOfRead === run.rows_read, partsOfRead };
}
