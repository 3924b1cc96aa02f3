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

/** The status as shown: a held run that a later run settled says by which. */

export function statusLabel(run: IngestRun): string {
  const status = run.status.toLowerCase();
  return run.status === "HELD" && run.superseded_by ? `${status}, settled by ${run.superseded_by}` : status;
}

/** The badge's style: an open hold stands out; a settled one is neutral (neither succeeded nor failed). */
export function statusClass(run: IngestRun): string {
  if (run.status === "HELD") {
    return run.superseded_by ? "badge badge-settled" : "badge badge-held";
  }
  return "badge badge-" + run.status.toLowerCase();
}
