import { describe, expect, it } from "vitest";
import { chooseChart, columnRoles, histogram, humanName, label, planChart, suppressedCell } from "./chartshape";
import type { ResultColumn } from "./types";

const col = (name: string, type: string): ResultColumn => ({ name, type });

describe("chooseChart", () => {
  it("draws lines over months, one per hospital, with gaps for missing months", () => {
    const spec = chooseChart(
      [col("hospital_id", "VARCHAR"), col("collected_at_month", "TIMESTAMP"), col("count", "BIGINT")],
      [
        ["H002", "2024-02-01T00:00:00", 5],
        ["H001", "2024-01-01T00:00:00", 10],
        ["H001", "2024-02-01T00:00:00", 12],
      ],
    );
    expect(spec).toEqual({
      kind: "line",
      title: "Results by month and hospital",
      x: ["2024-01", "2024-02"],
      series: [
        { name: "H001", values: [10, 12] },
        { name: "H002", values: [null, 5] },
      ],
    });
  });

  it("charts the mean, not the count, of mean creatinine per hospital per month, titled with test and unit", () => {
    const columns = [
      col("hospital_id", "VARCHAR"),
      col("collected_at_month", "TIMESTAMP"),
      col("unit_canonical", "VARCHAR"),
      col("count", "BIGINT"),
      col("avg_value_canonical", "DOUBLE"),
    ];
    const rows = [
      ["H001", "2024-01-01T00:00:00", "mg/dL", 10, 1.1],
      ["H002", "2024-01-01T00:00:00", "mg/dL", 12, 0.9],
    ];
    const plan = planChart(columns, rows, {}, { test: "Creatinine (2160-0)" });
    expect(plan.kinds).toEqual(["line", "bar", "table"]);
    expect(plan.measure).toBe("avg_value_canonical");
    expect(plan.measures.map((measure) => measure.label)).toEqual(["Results", "Mean value"]);
    expect(plan.spec).toMatchObject({
      kind: "line",
      title: "Mean value of Creatinine (2160-0) (mg/dL) by month and hospital",
      unit: "mg/dL",
      series: [
        { name: "H001", values: [1.1] },
        { name: "H002", values: [0.9] },
      ],
    });
    // the user picks the count and bars
    const count = planChart(columns, rows, { measure: "count", kind: "bar" });
    expect(count.spec).toMatchObject({ kind: "bar", title: "Results by month and hospital", series: [{ values: [10] }, { values: [12] }] });
    expect(count.spec).not.toHaveProperty("unit");
    expect(planChart(columns, rows, { kind: "table" }).spec.kind).toBe("none");
    // a kind that does not fit falls back to the default
    expect(planChart(columns, rows, { kind: "histogram" }).kind).toBe("line");
  });

  it("draws bars for one key column", () => {
    const spec = chooseChart(
      [col("test_code", "VARCHAR"), col("count", "BIGINT"), col("patients", "BIGINT")],
      [
        ["718-7", 3, 2],
        ["2345-7", 4, null],
      ],
    );
    expect(spec).toMatchObject({
      kind: "bar",
      title: "Results by test",
      x: ["718-7", "2345-7"],
      series: [{ name: "Results", values: [3, 4] }],
    });
    expect(
      chooseChart([col("test_code", "VARCHAR"), col("count", "BIGINT"), col("patients", "BIGINT")], [["718-7", 3, 2]], {
        measure: "patients",
      }),
    ).toMatchObject({
      series: [{ name: "Patients", values: [2] }],
    });
  });

  it("treats birth years and age bands as keys, not measures", () => {
    const spec = chooseChart(
      [col("patient_birth_year", "INTEGER"), col("count", "BIGINT")],
      [
        [1980, 3],
        [1990, 5],
      ],
    );
    expect(spec).toMatchObject({ kind: "bar", x: ["1980", "1990"] });
  });

  it("boxes one row of distribution statistics, or shows one number", () => {
    const columns = [
      col("max_value_numeric", "DOUBLE"),
      col("p5_value_numeric", "DOUBLE"),
      col("avg_value_numeric", "DOUBLE"),
      col("p50_value_numeric", "DOUBLE"),
      col("min_value_numeric", "DOUBLE"),
    ];
    const plan = planChart(columns, [[20, 2, 10, 9, 1]]);
    expect(plan.kinds).toEqual(["box", "number", "bar", "table"]);
    expect(plan.spec).toMatchObject({ kind: "box", boxes: [[1, 9, 9, 9, 20]] });
    expect(planChart(columns, [[20, 2, 10, 9, 1]], { kind: "number" }).spec).toEqual({
      kind: "number",
      title: "Mean value as delivered",
      value: 10,
    });
    expect(chooseChart([col("count", "BIGINT")], [[42]])).toEqual({ kind: "number", title: "Results", value: 42 });
  });

  it("makes a histogram of one column of raw values", () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i % 10]);
    const spec = chooseChart([col("value_numeric", "DOUBLE")], rows);
    expect(spec.kind).toBe("histogram");
    if (spec.kind === "histogram") {
      expect(spec.series[0]!.values.reduce((a, b) => a! + b!, 0)).toBe(100);
    }
  });

  it("shows the one unit of the values in titles and on the axis, never as an axis of its own", () => {
    const spec = chooseChart(
      [col("test_code", "VARCHAR"), col("unit_canonical", "VARCHAR"), col("count", "BIGINT"), col("avg_value_canonical", "DOUBLE")],
      [
        ["2345-7", "mg/dL", 49, 101.5],
        ["2339-0", "mg/dL", 12, 98],
      ],
    );
    expect(spec).toEqual({
      kind: "bar",
      title: "Mean value (mg/dL) by test",
      x: ["2345-7", "2339-0"],
      series: [{ name: "Mean value", values: [101.5, 98] }],
      unit: "mg/dL",
    });
  });

  it("labels each key with its unit when the values come in several", () => {
    const bars = chooseChart(
      [col("test_code", "VARCHAR"), col("unit_canonical", "VARCHAR"), col("avg_value_canonical", "DOUBLE")],
      [
        ["2345-7", "mg/dL", 101.5],
        ["718-7", "g/dL", 14],
        ["X-1", null, null],
      ],
    );
    expect(bars).toMatchObject({ kind: "bar", x: ["2345-7 (mg/dL)", "718-7 (g/dL)", "X-1 (no unit)"] });
    expect(bars).not.toHaveProperty("unit");
    const lines = chooseChart(
      [col("collected_at_month", "TIMESTAMP"), col("unit", "VARCHAR"), col("avg_value_numeric", "DOUBLE")],
      [
        ["2024-01-01T00:00:00", "mg/dL", 100],
        ["2024-01-01T00:00:00", "mmol/L", 5.5],
      ],
    );
    expect(lines).toMatchObject({
      kind: "line",
      series: [
        { name: "mg/dL", values: [100] },
        { name: "mmol/L", values: [5.5] },
      ],
    });
  });

  it("reads SQL results by role: a strftime month is time, a constant column is no axis", () => {
    const spec = chooseChart(
      [col("source", "VARCHAR"), col("hospital_id", "VARCHAR"), col("m", "VARCHAR"), col("n", "BIGINT")],
      [
        ["lab", "H001", "2024-01", 3],
        ["lab", "H001", "2024-02", 4],
        ["lab", "H002", "2024-01", 5],
      ],
    );
    expect(
      columnRoles(
        [col("source", "VARCHAR"), col("m", "VARCHAR")],
        [
          ["lab", "2024-01"],
          ["lab", "2024-02"],
        ],
      ),
    ).toEqual(["constant", "time"]);
    expect(spec).toMatchObject({
      kind: "line",
      x: ["2024-01", "2024-02"],
      series: [
        { name: "H001", values: [3, 4] },
        { name: "H002", values: [5, null] },
      ],
    });
  });

  it("draws every shipped predefined query's intended chart", () => {
    // value-distribution: pre-computed bins
    const bins = planChart(
      [
        col("bin", "BIGINT"),
        col("bin_from", "DOUBLE"),
        col("bin_to", "DOUBLE"),
        col("unit", "VARCHAR"),
        col("n", "BIGINT"),
        col("patients", "BIGINT"),
      ],
      [
        [0, 10, 11, "g/dL", 30, 20],
        [1, 11, 12, "g/dL", 40, 25],
      ],
      {},
      { test: "Hemoglobin (718-7)" },
    );
    expect(bins.spec).toEqual({
      kind: "histogram",
      title: "Results per bin of Hemoglobin (718-7) (g/dL)",
      x: ["10–11", "11–12"],
      series: [{ name: "Results", values: [30, 40] }],
    });
    // abnormal-trend: the abnormal rate over months, one line per test
    const trend = planChart(
      [
        col("test_code", "VARCHAR"),
        col("month", "VARCHAR"),
        col("n", "BIGINT"),
        col("patients", "BIGINT"),
        col("percent_abnormal", "DOUBLE"),
      ],
      [
        ["718-7", "2024-01", 10, 8, 12.5],
        ["2345-7", "2024-01", 10, 8, 30],
        ["718-7", "2024-02", 10, 8, 15],
      ],
    );
    expect(trend.spec).toMatchObject({ kind: "line", title: "% abnormal by month and test", x: ["2024-01", "2024-02"] });
    // monthly-volume and delivery-completeness: results over months per hospital
    const volume = chooseChart(
      [col("hospital_id", "VARCHAR"), col("month", "VARCHAR"), col("results", "BIGINT"), col("patients", "BIGINT")],
      [
        ["H001", "2024-01", 100, 50],
        ["H001", "2024-02", 120, 60],
      ],
    );
    expect(volume).toMatchObject({
      kind: "line",
      title: "Results by month · hospital H001",
      series: [{ name: "Results", values: [100, 120] }],
    });
    // test-summary: a box per test, named, over its percentiles
    const summary = planChart(
      [
        col("test_code", "VARCHAR"),
        col("test_name", "VARCHAR"),
        col("unit", "VARCHAR"),
        col("n", "BIGINT"),
        col("mean", "DOUBLE"),
        col("p05", "DOUBLE"),
        col("p50", "DOUBLE"),
        col("p95", "DOUBLE"),
        col("percent_abnormal", "DOUBLE"),
      ],
      [
        ["718-7", "Hemoglobin", "g/dL", 10, 14, 11, 14, 17, 5],
        ["2345-7", "Glucose", "mg/dL", 10, 100, 70, 95, 160, 20],
      ],
    );
    expect(summary.kinds).toEqual(["box", "bar", "table"]);
    expect(summary.spec).toMatchObject({
      kind: "box",
      x: ["718-7 Hemoglobin (g/dL)", "2345-7 Glucose (mg/dL)"],
      boxes: [
        [11, 14, 14, 14, 17],
        [70, 95, 95, 95, 160],
      ],
    });
    expect(planChart([col("test_code", "VARCHAR"), col("n", "BIGINT"), col("mean", "DOUBLE")], [["718-7", 3, 14]]).measure).toBe("mean");
  });

  it("draws the twelve lines with most rows of many, and says so", () => {
    const rows = Array.from({ length: 25 }, (_, i) => [`T${String(i).padStart(2, "0")}`, "2024-01", i + 1, 10]);
    const spec = chooseChart(
      [col("test_code", "VARCHAR"), col("month", "VARCHAR"), col("n", "BIGINT"), col("percent_abnormal", "DOUBLE")],
      rows,
    );
    expect(spec).toMatchObject({ kind: "line", title: "% abnormal by month and test (the 12 of 25 test values with most rows)" });
    if (spec.kind === "line") {
      expect(spec.series.map((line) => line.name)).toEqual(Array.from({ length: 12 }, (_, i) => `T${13 + i}`));
    }
  });

  it("declines shapes it cannot draw", () => {
    expect(chooseChart([col("a", "VARCHAR")], [["x"]])).toMatchObject({ kind: "none" });
    expect(chooseChart([col("count", "BIGINT")], [])).toMatchObject({ kind: "none", reason: "The result is empty." });
    expect(
      chooseChart([col("a", "VARCHAR"), col("b", "VARCHAR"), col("c", "VARCHAR"), col("count", "BIGINT")], [["x", "y", "z", 1]]).kind,
    ).toBe("none");
  });
});

describe("helpers", () => {
  it("labels month buckets as YYYY-MM", () => {
    expect(label("2024-03-01T00:00:00", col("collected_at_month", "TIMESTAMP"))).toBe("2024-03");
    expect(label(null, col("patient_sex", "VARCHAR"))).toBe("(none)");
  });

  it("names columns in words", () => {
    expect(humanName("avg_value_canonical")).toBe("mean value");
    expect(humanName("p95_value_canonical")).toBe("95th percentile value");
    expect(humanName("collected_at_month")).toBe("month");
    expect(humanName("percent_abnormal")).toBe("% abnormal");
  });

  it("bins values with every value counted once", () => {
    const bins = histogram([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bins.counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(bins.x.length).toBe(bins.counts.length);
    expect(histogram([5, 5])).toEqual({ x: ["5"], counts: [2] });
  });

  it("marks nulls in measures of a suppressed result as suppressed, not key nulls", () => {
    const columns = [col("patient_sex", "VARCHAR"), col("count", "BIGINT")];
    expect(suppressedCell(columns, 2, 1, null)).toBe(true);
    expect(suppressedCell(columns, 2, 0, null)).toBe(false);
    expect(suppressedCell(columns, 0, 1, null)).toBe(false);
    expect(suppressedCell(columns, 2, 1, 12)).toBe(false);
  });
});
