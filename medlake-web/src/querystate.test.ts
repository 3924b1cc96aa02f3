import { describe, expect, it } from "vitest";
import { aggregatesFor, birthYears, DEFAULT_STATE, fromParams, toParams, toStructuredQuery, type BuilderState } from "./querystate";

const FULL: BuilderState = {
  hospitals: ["H001", "H002"],
  tests: ["718-7"],
  from: "2024-01-01",
  to: "2024-06-30",
  sexes: ["F"],
  ageBand: "18-29",
  valueMin: "7.5",
  valueMax: "20",
  flags: ["H", "HH"],
  groupBy: ["hospital", "month"],
  aggregates: ["count", "avg", "p95"],
  limit: 500,
};

describe("builder state in the URL", () => {
  it("round-trips every field", () => {
    expect(fromParams(toParams(FULL))).toEqual(FULL);
    expect(fromParams(new URLSearchParams(toParams(FULL).toString()))).toEqual(FULL);
  });

  it("leaves defaults out of the URL", () => {
    expect(toParams(DEFAULT_STATE).toString()).toBe("");
    expect(fromParams(new URLSearchParams(""))).toEqual(DEFAULT_STATE);
  });

  it("keeps an explicitly empty group-by", () => {
    const state = { ...DEFAULT_STATE, groupBy: [] };
    expect(toParams(state).get("g")).toBe("");
    expect(fromParams(toParams(state)).groupBy).toEqual([]);
  });

  it("drops malformed values instead of sending them", () => {
    const state = fromParams(new URLSearchParams("from=yesterday&vmin=abc&sex=F,X&g=month,bogus&a=count,nope&limit=0&age=7-9"));
    expect(state.from).toBe("");
    expect(state.valueMin).toBe("");
    expect(state.sexes).toEqual(["F"]);
    expect(state.groupBy).toEqual(["month"]);
    expect(state.aggregates).toEqual(["count"]);
    expect(state.limit).toBe(1000);
    expect(state.ageBand).toBe("");
  });
});

describe("toStructuredQuery", () => {
  it("turns every filter into the server's model", () => {
    const query = toStructuredQuery(FULL, [2024, 2024]);
    expect(query.table).toBe("lab_results");
    expect(query.filters).toEqual([
      { column: "hospital_id", op: "in", values: ["H001", "H002"] },
      { column: "test_code", op: "in", values: ["718-7"] },
      { column: "collected_at", op: "between", values: ["2024-01-01", "2024-06-30T23:59:59.999999"] },
      { column: "patient_sex", op: "in", values: ["F"] },
      { column: "patient_birth_year", op: "between", values: [1995, 2006] },
      { column: "value_canonical", op: ">=", values: [7.5] },
      { column: "value_canonical", op: "<=", values: [20] },
      { column: "abnormal_flag", op: "in", values: ["H", "HH"] },
    ]);
    expect(query.group_by).toEqual([{ column: "hospital_id" }, { column: "collected_at", bucket: "month" }]);
    expect(query.aggregates).toEqual([
      { function: "count" },
      { function: "avg", column: "value_canonical" },
      { function: "percentile", column: "value_canonical", percentile: 0.95 },
    ]);
    expect(query.order_by).toEqual([
      { column: "hospital_id", direction: "asc" },
      { column: "collected_at_month", direction: "asc" },
    ]);
    expect(query.limit).toBe(500);
  });

  it("uses open-ended date filters", () => {
    expect(toStructuredQuery({ ...DEFAULT_STATE, from: "2024-03-01" }, [2024, 2024]).filters).toEqual([
      { column: "collected_at", op: ">=", values: ["2024-03-01"] },
    ]);
    expect(toStructuredQuery({ ...DEFAULT_STATE, to: "2024-03-31" }, [2024, 2024]).filters).toEqual([
      { column: "collected_at", op: "<=", values: ["2024-03-31T23:59:59.999999"] },
    ]);
  });

  it("widens an age band to the birth years of the data's years without a date range", () => {
    const query = toStructuredQuery({ ...DEFAULT_STATE, ageBand: "90+" }, [2023, 2024]);
    expect(query.filters).toEqual([{ column: "patient_birth_year", op: "between", values: [1893, 1934] }]);
    expect(birthYears("nope", [2024, 2024])).toBeNull();
  });
});

describe("aggregatesFor", () => {
  it("offers viewers no minimum or maximum (the server refuses them), others every aggregate", () => {
    expect(aggregatesFor("viewer")).not.toContain("min");
    expect(aggregatesFor("viewer")).not.toContain("max");
    expect(aggregatesFor("viewer")).toContain("avg");
    expect(aggregatesFor("analyst")).toEqual(expect.arrayContaining(["min", "max", "count", "avg"]));
  });
});
