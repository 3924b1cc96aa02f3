import type { Cell, ResultColumn } from "./types";

/**
 * How a result is drawn; "none" when no chart fits (the table alone shows it). {@code unit} names the
 * value axis when every value drawn is in that one unit.
 */
export type ChartSpec =
  | { kind: "line"; title: string; x: string[]; series: Series[]; unit?: string }
  | { kind: "bar"; title: string; x: string[]; series: Series[]; unit?: string }
  | { kind: "histogram"; title: string; x: string[]; series: Series[] }
  | { kind: "summary"; title: string; x: string[]; series: Series[]; unit?: string }
  | { kind: "none"; reason: string };

export interface Series {
  name: string;
  /** null where the value is missing or suppressed (a gap, never a zero). */
  values: (number | null)[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL.*|INT|LONG)$/i;
const TIME = /^(TIMESTAMP.*|DATE)$/i;
/** Group-by outputs that look numeric but are labels. */
const KEY_NAMES = new Set([
  "hospital_id",
  "test_code",
  "patient_birth_year",
  "age_band",
  "patient_sex",
  "abnormal_flag",
  "collected_at_year",
  "year",
  "month",
]);
/**
 * Columns holding the unit of the value measures (the server groups value aggregates by them): they
 * label the values rather than being an axis of their own.
 */
const UNIT_NAMES = new Set(["unit", "unit_canonical"]);
/** Aggregates of result values (avg_value_canonical, p95_value_numeric, ...), which have a unit. */
const VALUE_MEASURE = /_(value_canonical|value_numeric|value_low|value_high|ref_low|ref_high)$/;
/** Statistics of one distribution, in the order a summary chart shows them. */
const STATS = [/^min/, /^p0?5_|^p5_/, /^p25_/, /^(p50_|median)/, /^(avg|mean)/, /^p75_/, /^p95_/, /^max/];

export function isNumeric(column: ResultColumn): boolean {
  return NUMERIC.test(column.type);
}

function isMeasure(column: ResultColumn): boolean {
  return isNumeric(column) && !KEY_NAMES.has(column.name);
}

/**
 * The units of a result's rows: "one" when every row has the same unit (values of one unit), "several"
 * (the unit then labels each key), or "none" when the result has no unit column.
 */
function unitsOf(
  columns: ResultColumn[],
  rows: Cell[][],
): { kind: "none" } | { kind: "one"; unit: string } | { kind: "several"; index: number } {
  const index = columns.findIndex((column) => UNIT_NAMES.has(column.name));
  if (index < 0) {
    return { kind: "none" };
  }
  const units = new Set(rows.map((row) => row[index] ?? null));
  const only = [...units][0];
  return units.size === 1
    ? typeof only === "string" && only !== ""
      ? { kind: "one", unit: only }
      : { kind: "none" }
    : { kind: "several", index };
}

/** A key cell as an axis label: timestamps of month buckets as YYYY-MM. */
export function label(value: Cell, column: ResultColumn): string {
  if (value === null) {
    return "(none)";
  }
  const text = String(value);
  if (TIME.test(column.type) || /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    return /-01T00:00:00/.test(text) && column.name.endsWith("_month") ? text.slice(0, 7) : text.replace("T00:00:00", "");
  }
  return text;
}

function numberOrNull(value: Cell): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Equal-width bins over the values: Sturges' rule, at most 30 bins. */
export function histogram(values: number[]): { x: string[]; counts: number[] } {
  if (values.length === 0) {
    return { x: [], counts: [] };
  }
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (low === high) {
    return { x: [String(low)], counts: [values.length] };
  }
  const bins = Math.min(30, Math.ceil(Math.log2(values.length)) + 1);
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) {
    counts[Math.min(bins - 1, Math.floor((value - low) / width))]!++;
  }
  const round = (value: number) => Number(value.toPrecision(4));
  return { x: counts.map((_, bin) => `${round(low + bin * width)}–${round(low + (bin + 1) * width)}`), counts };
}

/**
 * Picks the chart that fits a result's shape:
 * - a month (or other time) column and measures: lines over time, one per other key's value;
 * - one key column and measures: bars;
 * - no key column, one row of distribution statistics (min, percentiles, mean, max): a summary;
 * - one numeric column of raw values (no keys): a histogram;
 * - anything else: no chart.
 */
export function chooseChart(columns: ResultColumn[], rows: Cell[][]): ChartSpec {
  if (rows.length === 0) {
    return { kind: "none", reason: "The result is empty." };
  }
  const units = unitsOf(columns, rows);
  const measures = columns.map((column, index) => ({ column, index })).filter(({ column }) => isMeasure(column));
  const allKeys = columns.map((column, index) => ({ column, index })).filter(({ column }) => !isMeasure(column));
  const unitKey = units.kind === "several" ? allKeys.find(({ index }) => index === units.index) : undefined;
  const keys = allKeys.filter(({ column }) => !UNIT_NAMES.has(column.name));
  if (measures.length === 0) {
    return { kind: "none", reason: "The result has no numeric column to draw." };
  }
  /** A measure's name, with the unit when all its values are in one. */
  const named = (column: ResultColumn) =>
    units.kind === "one" && VALUE_MEASURE.test(column.name) ? `${column.name} (${units.unit})` : column.name;
  /** The unit of the value axis, when everything drawn on it is in that unit. */
  const axisUnit = (drawn: ResultColumn[]) =>
    units.kind === "one" && drawn.every((column) => VALUE_MEASURE.test(column.name)) ? { unit: units.unit } : {};
  /** A key cell as a label; with results in several units, the row's unit is part of it. */
  const keyLabel = (row: Cell[], key: { column: ResultColumn; index: number }) =>
    label(row[key.index]!, key.column) + (unitKey && key !== unitKey ? ` (${row[unitKey.index] ?? "no unit"})` : "");
  const time = keys.find(({ column }) => TIME.test(column.type) || column.name.endsWith("_month"));
  if (time) {
    const other = keys.find((key) => key !== time) ?? unitKey;
    if (keys.length > 2) {
      return { kind: "none", reason: "Too many grouping columns for one chart; the table shows them all." };
    }
    const x = [...new Set(rows.map((row) => label(row[time.index]!, time.column)))].sort();
    const measure = measures[0]!;
    const groups = other ? [...new Set(rows.map((row) => keyLabel(row, other)))].sort() : [named(measure.column)];
    if (groups.length > 20) {
      return { kind: "none", reason: `${groups.length} lines would not be readable; filter or group by fewer values.` };
    }
    const series = groups.map((group) => {
      const values = x.map(() => null as number | null);
      for (const row of rows) {
        if (!other || keyLabel(row, other) === group) {
          values[x.indexOf(label(row[time.index]!, time.column))] = numberOrNull(row[measure.index]!);
        }
      }
      return { name: other ? group : named(measure.column), values };
    });
    return {
      kind: "line",
      title: `${named(measure.column)} by ${time.column.name}${other ? " and " + other.column.name : ""}`,
      x,
      series,
      ...axisUnit([measure.column]),
    };
  }
  const key = keys.length === 1 ? keys[0]! : keys.length === 0 ? unitKey : undefined;
  if (key) {
    if (rows.length > 100) {
      return { kind: "none", reason: `${rows.length} bars would not be readable; filter or group by fewer values.` };
    }
    const x = rows.map((row) => keyLabel(row, key));
    const shown = measures.slice(0, 3);
    return {
      kind: "bar",
      title: `${shown.map(({ column }) => named(column)).join(", ")} by ${key.column.name}`,
      x,
      series: shown.map(({ column, index }) => ({ name: named(column), values: rows.map((row) => numberOrNull(row[index]!)) })),
      ...axisUnit(shown.map(({ column }) => column)),
    };
  }
  if (keys.length === 0 && rows.length === 1) {
    const stats = measures.filter(({ column }) => STATS.some((pattern) => pattern.test(column.name)));
    if (stats.length >= 2) {
      stats.sort((a, b) => STATS.findIndex((p) => p.test(a.column.name)) - STATS.findIndex((p) => p.test(b.column.name)));
      return {
        kind: "summary",
        title: units.kind === "one" ? `Distribution summary (${units.unit})` : "Distribution summary",
        x: stats.map(({ column }) => column.name),
        series: [{ name: "value", values: stats.map(({ index }) => numberOrNull(rows[0]![index]!)) }],
        ...axisUnit(stats.map(({ column }) => column)),
      };
    }
    return {
      kind: "bar",
      title: "Totals",
      x: measures.map(({ column }) => named(column)),
      series: [{ name: "value", values: measures.map(({ index }) => numberOrNull(rows[0]![index]!)) }],
    };
  }
  if (keys.length === 0 && measures.length === 1) {
    const values = rows.map((row) => numberOrNull(row[measures[0]!.index]!)).filter((value): value is number => value !== null);
    const bins = histogram(values);
    return {
      kind: "histogram",
      title: `Distribution of ${measures[0]!.column.name} (${values.length} values)`,
      x: bins.x,
      series: [{ name: "rows", values: bins.counts }],
    };
  }
  return { kind: "none", reason: "No chart fits this result's shape; the table shows it." };
}

/**
 * Which cells were withheld by small-cell suppression: the server sends them as null and counts
 * them. Only measures are suppressed, so a null in a measure column of a suppressed result is one.
 */
export function suppressedCell(columns: ResultColumn[], suppressedCells: number, columnIndex: number, value: Cell): boolean {
  return suppressedCells > 0 && value === null && isMeasure(columns[columnIndex]!);
}
