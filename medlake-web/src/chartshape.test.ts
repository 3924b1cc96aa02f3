import { describe, expect, it } from "vitest";
import { chooseChart, histogram, label, suppressedCell } from "./chartshape";
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
      title: "count by collected_at_month and hospital_id",
      x: ["2024-01", "2024-02"],
      series: [
        { name: "H001", values: [10, 12] },
        { name: "H002", values: [null, 5] },
      ],
    });
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
      x: ["718-7", "2345-7"],
      series: [
        { name: "count", values: [3, 4] },
        { name: "patients", values: [2, null] },
      ],
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

  it("summarises one row of distribution statistics in order", () => {
    const spec = chooseChart(
      [
        col("max_value_numeric", "DOUBLE"),
        col("p5_value_numeric", "DOUBLE"),
        col("avg_value_numeric", "DOUBLE"),
        col("min_value_numeric", "DOUBLE"),
      ],
      [[20, 2, 10, 1]],
    );
    expect(spec).toMatchObject({
      kind: "summary",
      x: ["min_value_numeric", "p5_value_numeric", "avg_value_numeric", "max_value_numeric"],
      series: [{ values: [1, 2, 10, 20] }],
    });
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
      title: "count, avg_value_canonical (mg/dL) by test_code",
      x: ["2345-7", "2339-0"],
      series: [
        { name: "count", values: [49, 12] },
        { name: "avg_value_canonical (mg/dL)", values: [101.5, 98] },
      ],
    });
    const mean = chooseChart(
      [col("collected_at_month", "TIMESTAMP"), col("unit_canonical", "VARCHAR"), col("avg_value_canonical", "DOUBLE")],
      [
        ["2024-01-01T00:00:00", "mg/dL", 100],
        ["2024-02-01T00:00:00", "mg/dL", 104],
      ],
    );
    expect(mean).toMatchObject({
      kind: "line",
      title: "avg_value_canonical (mg/dL) by collected_at_month",
      unit: "mg/dL",
      series: [{ name: "avg_value_canonical (mg/dL)", values: [100, 104] }],
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
    expect(bars).toMatchObject({
      kind: "bar",
      x: ["2345-7 (mg/dL)", "718-7 (g/dL)", "X-1 (no unit)"],
      series: [{ name: "avg_value_canonical" }],
    });
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
      title: "avg_value_numeric by collected_at_month and unit",
      series: [
        { name: "mg/dL", values: [100] },
        { name: "mmol/L", values: [5.5] },
      ],
    });
  });

  it("declines shapes it cannot draw", () => {
    expect(chooseChart([col("a", "VARCHAR")], [["x"]])).toMatchObject({ kind: "none" });
    expect(chooseChart([col("count", "BIGINT")], [])).toMatchObject({ kind: "none", reason: "The result is empty." });
    expect(chooseChart([col("a", "VARCHAR"), col("b", "VARCHAR"), col("count", "BIGINT")], [["x", "y", 1]]).kind).toBe("none");
  });
});

describe("helpers", () => {
  it("labels month buckets as YYYY-MM", () => {
    expect(label("2024-03-01T00:00:00", col("collected_at_month", "TIMESTAMP"))).toBe("2024-03");
    expect(label(null, col("patient_sex", "VARCHAR"))).toBe("(none)");
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
