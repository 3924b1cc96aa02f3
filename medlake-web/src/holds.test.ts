import { describe, expect, it } from "vitest";
import { openHolds, outcomeTone, rowAccounting, runEnded, statusClass, statusLabel } from "./holds";
import type { IngestRun } from "./types";

function run(id: string, status: string, started: string, supersededBy: string | null = null): IngestRun {
  return {
    id,
    source_file: "landing/h001/2024-01/a.csv",
    source_id: "h001",
    sha256: "abc",
    hospital_id: "H001",
    month: "2024-01",
    status,
    started_at: started,
    rows_read: 10,
    rows_accepted: 0,
    rows_rejected: 10,
    rows_filtered: 0,
    rejected_by_reason: { INVALID_FLAG: 10 },
    bytes_in: 100,
    bytes_out: 0,
    duration_ms: 5,
    snapshot_id: null,
    message: status === "HELD" ? "held: 0 of 10 rows accepted; fix the mapping and re-run, or medlake runs approve " + id : "",
    flagged_by_reason: {},
    unmapped_codes: {},
    mapping_sha256: "def",
    superseded_by: supersededBy,
  };
}

describe("held runs", () => {
  it("are open until a later run settles them, oldest first", () => {
    const runs = [
      run("run-3", "HELD", "2024-02-03T00:00:00Z"),
      run("run-1", "HELD", "2024-02-01T00:00:00Z", "run-2"),
      run("run-2", "SUCCEEDED", "2024-02-02T00:00:00Z"),
      run("run-0", "HELD", "2024-01-31T00:00:00Z"),
    ];
    expect(openHolds(runs).map((held) => held.id)).toEqual(["run-0", "run-3"]);
  });

  it("look neither succeeded nor failed, and say what settled them", () => {
    expect(statusClass(run("run-1", "HELD", "2024-02-01T00:00:00Z"))).toBe("badge badge-held");
    expect(statusLabel(run("run-1", "HELD", "2024-02-01T00:00:00Z"))).toBe("held");
    const settled = run("run-1", "HELD", "2024-02-01T00:00:00Z", "run-2");
    expect(statusClass(settled)).toBe("badge badge-settled");
    expect(statusLabel(settled)).toBe("held, settled by run-2");
    expect(statusClass({ ...run("run-2", "SUCCEEDED", "2024-02-02T00:00:00Z"), rows_accepted: 10, rows_rejected: 0 })).toBe(
      "badge badge-succeeded",
    );
  });
});

describe("an uploaded run", () => {
  it("has ended once it is neither queued nor running", () => {
    expect(runEnded(run("run-1", "QUEUED", "2024-02-01T00:00:00Z"))).toBe(false);
    expect(runEnded(run("run-1", "RUNNING", "2024-02-01T00:00:00Z"))).toBe(false);
    for (const status of ["SUCCEEDED", "FAILED", "DUPLICATE", "HELD"]) {
      expect(runEnded(run("run-1", status, "2024-02-01T00:00:00Z"))).toBe(true);
    }
    expect(statusClass(run("run-1", "QUEUED", "2024-02-01T00:00:00Z"))).toBe("badge badge-queued");
  });
});

describe("a run's figures", () => {
  it("count as the data contract does: file rows = read + filtered, read = accepted + rejected", () => {
    const counted = {
      ...run("run-1", "SUCCEEDED", "2024-02-01T00:00:00Z"),
      rows_read: 18_978,
      rows_accepted: 18_578,
      rows_rejected: 400,
      rows_filtered: 1_022,
    };
    expect(rowAccounting(counted)).toEqual({ fileRows: 20_000, readAddsUp: true, partsOfRead: 18_978 });
    expect(rowAccounting({ ...counted, rows_rejected: 401 })).toEqual({ fileRows: 20_000, readAddsUp: false, partsOfRead: 18_979 });
  });

  it("are green only for a run that stored rows: held, failed and 100 % rejected runs never", () => {
    const stored = { ...run("run-1", "SUCCEEDED", "2024-02-01T00:00:00Z"), rows_accepted: 9, rows_rejected: 1 };
    expect(statusClass(stored)).toBe("badge badge-succeeded");
    expect(outcomeTone(stored)).toBe("success");
    const allRejected = run("run-2", "SUCCEEDED", "2024-02-01T00:00:00Z");
    expect(statusClass(allRejected)).toBe("badge badge-empty");
    expect(statusLabel(allRejected)).toBe("succeeded, 0 rows stored");
    expect(outcomeTone(allRejected)).toBe("warning");
    expect(outcomeTone(run("run-3", "HELD", "2024-02-01T00:00:00Z"))).toBe("warning");
    expect(outcomeTone(run("run-4", "FAILED", "2024-02-01T00:00:00Z"))).toBe("error");
    expect(outcomeTone(run("run-5", "DUPLICATE", "2024-02-01T00:00:00Z"))).toBe("neutral");
    for (const status of ["HELD", "FAILED", "DUPLICATE"]) {
      expect(statusClass(run("run-6", status, "2024-02-01T00:00:00Z"))).not.toBe("badge badge-succeeded");
    }
  });
});
