import { describe, expect, it } from "vitest";
import { buildCoverageGrid, HEAT_LEVELS, heatLevel, maxCellRows, monthRange } from "./coverage";
import type { Partition } from "./types";

function p(hospital_id: string, month: string, rows: number, files = 1, bytes = 100): Partition {
  return { hospital_id, month, rows, files, bytes };
}

describe("buildCoverageGrid", () => {
  it("is empty without partitions", () => {
    expect(buildCoverageGrid([])).toEqual({ hospitals: [], months: [], cells: [], gaps: 0 });
  });

  it("puts hospitals in rows and every month from min to max in columns, gaps as null", () => {
    const grid = buildCoverageGrid([p("H002", "2024-03", 30), p("H001", "2024-01", 10), p("H001", "2024-03", 12)]);
    expect(grid.hospitals).toEqual(["H001", "H002"]);
    expect(grid.months).toEqual(["2024-01", "2024-02", "2024-03"]);
    expect(grid.cells.map((row) => row.map((cell) => cell?.rows ?? null))).toEqual([
      [10, null, 12],
      [null, null, 30],
    ]);
    expect(grid.gaps).toBe(3);
  });

  it("spans year boundaries", () => {
    const grid = buildCoverageGrid([p("H1", "2023-11", 1), p("H1", "2024-02", 2)]);
    expect(grid.months).toEqual(["2023-11", "2023-12", "2024-01", "2024-02"]);
    expect(grid.gaps).toBe(2);
  });

  it("sums partitions of the same hospital and month", () => {
    const grid = buildCoverageGrid([p("H1", "2024-05", 5, 1, 10), p("H1", "2024-05", 7, 2, 20)]);
    expect(grid.cells).toEqual([[{ rows: 12, files: 3, bytes: 30 }]]);
    expect(grid.gaps).toBe(0);
  });

  it("sorts hospital ids naturally", () => {
    expect(buildCoverageGrid([p("H10", "2024-01", 1), p("H9", "2024-01", 1), p("H1", "2024-01", 1)]).hospitals).toEqual([
      "H1",
      "H9",
      "H10",
    ]);
  });

  it("does not alias cells into the input", () => {
    const input = [p("H1", "2024-01", 1), p("H1", "2024-01", 2)];
    buildCoverageGrid(input);
    expect(input[0]!.rows).toBe(1);
  });

  it("rejects a malformed month", () => {
    expect(() => buildCoverageGrid([p("H1", "2024-13", 1)])).toThrow(/YYYY-MM/);
    expect(() => buildCoverageGrid([p("H1", "24-01", 1)])).toThrow(/YYYY-MM/);
  });
});

describe("monthRange", () => {
  it("includes both ends", () => {
    expect(monthRange("2024-12", "2025-01")).toEqual(["2024-12", "2025-01"]);
    expect(monthRange("2024-05", "2024-05")).toEqual(["2024-05"]);
    expect(monthRange("2024-06", "2024-05")).toEqual([]);
  });
});

describe("heatLevel", () => {
  it("is 0 for gaps and empty cells, 1..5 relative to the fullest cell", () => {
    expect(heatLevel(0, 100)).toBe(0);
    expect(heatLevel(5, 0)).toBe(0);
    expect(heatLevel(1, 100)).toBe(1);
    expect(heatLevel(20, 100)).toBe(1);
    expect(heatLevel(21, 100)).toBe(2);
    expect(heatLevel(50, 100)).toBe(3);
    expect(heatLevel(100, 100)).toBe(HEAT_LEVELS);
  });

  it("takes the fullest cell of the grid as the top shade", () => {
    const grid = buildCoverageGrid([p("H001", "2024-01", 10), p("H002", "2024-01", 40), p("H002", "2024-01", 2)]);
    expect(maxCellRows(grid)).toBe(42);
    expect(maxCellRows(buildCoverageGrid([]))).toBe(0);
  });
});
