import { describe, expect, it } from "vitest";
import { filterRuns, runFilterOf, runFilterParams } from "./runlist";
import type { IngestRun } from "./types";

function run(id: string, hospital_id: string, month: string, status: IngestRun["status"], started_at: string): IngestRun {
  return { id, hospital_id, month, status, started_at } as IngestRun;
}

describe("filterRuns", () => {
  const runs = [
    run("a", "H001", "2024-01", "SUCCEEDED", "2024-02-01T10:00:00Z"),
    run("b", "H002", "2024-01", "FAILED", "2024-02-02T10:00:00Z"),
    run("c", "H001", "2024-02", "HELD", "2024-03-01T10:00:00Z"),
  ];

  it("keeps every run, newest first, without filters", () => {
    expect(filterRuns(runs, { hospital: "", status: "", month: "" }).map((r) => r.id)).toEqual(["c", "b", "a"]);
  });

  it("narrows by hospital, status and month together", () => {
    expect(filterRuns(runs, { hospital: "H001", status: "", month: "" }).map((r) => r.id)).toEqual(["c", "a"]);
    expect(filterRuns(runs, { hospital: "", status: "FAILED", month: "" }).map((r) => r.id)).toEqual(["b"]);
    expect(filterRuns(runs, { hospital: "H001", status: "", month: "2024-01" }).map((r) => r.id)).toEqual(["a"]);
    expect(filterRuns(runs, { hospital: "H002", status: "HELD", month: "" })).toEqual([]);
  });
});

describe("run filters in the URL", () => {
  it("reads a filter from the page's parameters and writes back only what narrows", () => {
    const filter = runFilterOf(new URLSearchParams("hospital=H001&status=HELD"));
    expect(filter).toEqual({ hospital: "H001", status: "HELD", month: "" });
    expect(runFilterParams(filter).toString()).toBe("hospital=H001&status=HELD");
    expect(runFilterParams({ hospital: "", status: "", month: "" }).toString()).toBe("");
    expect(runFilterOf(runFilterParams({ hospital: "H 2", status: "", month: "2024-01" }))).toEqual({
      hospital: "H 2",
      status: "",
      month: "2024-01",
    });
  });
});
