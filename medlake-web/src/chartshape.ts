import type { Cell, ResultColumn } from "./types";

/** The chart types a user can pick; "table" draws no chart (the table below shows the result). */
export type ChartKind = "line" | "bar" | "box" | "histogram" | "number" | "table";

/** Names of the chart types as the picker shows them. */
export const KIND_NAMES: Record<ChartKind, string> = {
  line: "Line",
  bar: "Bar",
  box: "Box (distribution)",
  histogram: "Histogram",
  number: "Single number",
  table: "Table only",
};

/**
 * What a result column is for a chart: a time axis, a category (a key), a measure (a number to draw),
 * the unit of the value measures, a label of another key (a test's name next to its code), the bounds of
 * pre-computed histogram bins, or a constant (one value in every row: part of the title, not an axis).
 */
export type Role = "time" | "category" | "measure" | "unit" | "label" | "bound" | "constant";

export interface Series {
  name: string;
  /** null where the value is missing or suppressed (a gap, never a zero). */
  values: (number | null)[];
}

/** Five figures of one box: low whisker, lower quartile, median, upper quartile, high whisker. */
export type Box = [number, number, number, number, number];

/**
 * How a result is drawn; "none" when no chart fits (the table alone shows it). {@code unit} names the
 * value axis when every value drawn is in that one unit.
 */
export type ChartSpec =
  | { kind: "line" | "bar" | "histogram"; title: string; x: string[]; series: Series[]; unit?: string }
  | { kind: "box"; title: string; x: string[]; boxes: (Box | null)[]; note: string; unit?: string }
  | { kind: "number"; title: string; value: number | null; unit?: string }
  | { kind: "none"; reason: string };

/** What the user chose in the pickers; unset means the default. */
export interface ChartChoice {
  kind?: ChartKind;
  measure?: string;
}

/** What the result cannot say about itself: the test it is about, when the query was for one test. */
export interface ChartContext {
  test?: string;
}

/** The chart types and measures that fit a result, the ones picked, and the chart they make. */
export interface ChartPlan {
  kinds: ChartKind[];
  kind: ChartKind;
  measures: { name: string; label: string }[];
  measure: string | null;
  spec: ChartSpec;
}

/** Lines drawn at most; the others are in the table. */
const MAX_LINES = 12;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL.*|INT|LONG)$/i;
const TIME_TYPE = /^(TIMESTAMP.*|DATE)$/i;
/** Names of time buckets: collected_at_month, month, year, ... */
const TIME_NAME = /(^|_)(month|year|date|day|week)$/;
/** Text values that are dates or months: "2024-03", "2024-03-01". */
const TIME_TEXT = /^\d{4}-\d{2}(-\d{2})?$/;
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
  "bin",
]);
/**
 * Columns holding the unit of the value measures (the server groups value aggregates by them): they
 * label the values rather than being an axis of their own.
 */
const UNIT_NAMES = new Set(["unit", "unit_canonical", "value_unit"]);
/** Lower and upper bounds of pre-computed histogram bins (the value-distribution query). */
const BOUNDS = ["bin_from", "bin_to"];
/** Aggregates of result values (avg_value_canonical, p95_value_numeric, mean, ...), which have a unit. */
const VALUE_MEASURE = /_(value_canonical|value_numeric|value_low|value_high|ref_low|ref_high)$|^(mean|sd|p\d+|median|min|max)$/;
/** The measure drawn unless the user picks another: a mean first, then a median, a value, a rate. */
const PREFERENCE = [/^(avg|mean)(_|$)/, /^(p50|median)(_|$)/, VALUE_MEASURE, /^percent|_rate$|_share$/];
/** Figures of a box, each from the first statistic present. */
const BOX_FIGURES = [
  [/^min(_|$)/, /^p0?5(_|$)/, /^p0?1(_|$)/, /^p10(_|$)/],
  [/^p25(_|$)/],
  [/^(p50|median)(_|$)/],
  [/^p75(_|$)/],
  [/^max(_|$)/, /^p95(_|$)/, /^p99(_|$)/, /^p90(_|$)/],
];

const WORDS: Record<string, string> = {
  hospital_id: "hospital",
  test_code: "test",
  test_name: "test",
  collected_at_month: "month",
  collected_at_year: "year",
  patient_sex: "sex",
  patient_birth_year: "birth year",
  age_band: "age band",
  abnormal_flag: "abnormal flag",
  count: "results",
  n: "results",
  patients: "patients",
  percent_abnormal: "% abnormal",
  n_values: "values",
  sd: "standard deviation",
  p05: "5th percentile",
  p50: "median",
  p95: "95th percentile",
};
const FUNCTIONS: Record<string, string> = {
  avg: "mean",
  sum: "sum of",
  min: "minimum",
  max: "maximum",
  stddev: "standard deviation of",
  median: "median",
};
const VALUE_WORDS: Record<string, string> = {
  value_canonical: "value",
  value_numeric: "value as delivered",
  ref_low: "reference low",
  ref_high: "reference high",
};

function ordinal(n: number): string {
  return n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
}

/** A column name in words: avg_value_canonical is "mean value", p95_value_canonical "95th percentile value". */
export function humanName(name: string): string {
  if (WORDS[name]) {
    return WORDS[name]!;
  }
  const aggregate = /^(avg|sum|min|max|stddev|median|p(\d+)(?:_\d+)?)_(.+)$/.exec(name);
  if (aggregate) {
    const column = VALUE_WORDS[aggregate[3]!] ?? aggregate[3]!.replace(/_/g, " ");
    const fn = aggregate[2] ? `${Number(aggregate[2])}${ordinal(Number(aggregate[2]))} percentile` : FUNCTIONS[aggregate[1]!]!;
    return `${fn} ${column}`;
  }
  return name.replace(/_/g, " ");
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function isNumeric(column: ResultColumn): boolean {
  return NUMERIC.test(column.type);
}

function isMeasure(column: ResultColumn): boolean {
  return isNumeric(column) && !KEY_NAMES.has(column.name) && !BOUNDS.includes(column.name);
}

/** The role of each column, from its name, type and values. */
export function columnRoles(columns: ResultColumn[], rows: Cell[][]): Role[] {
  const names = new Set(columns.map((column) => column.name));
  const bins = BOUNDS.every((name) => names.has(name));
  return columns.map((column, index) => {
    if (UNIT_NAMES.has(column.name)) {
      return "unit";
    }
    if (bins && BOUNDS.includes(column.name)) {
      return "bound";
    }
    if (isMeasure(column)) {
      return "measure";
    }
    const text = rows.map((row) => row[index]).filter((value) => value !== null && value !== undefined);
    if (
      TIME_TYPE.test(column.type) ||
      (TIME_NAME.test(column.name) && column.name !== "patient_birth_year") ||
      (text.length > 0 && text.every((value) => typeof value === "string" && TIME_TEXT.test(value)))
    ) {
      return "time";
    }
    if (rows.length > 1 && new Set(rows.map((row) => row[index] ?? null)).size === 1) {
      return "constant";
    }
    if (column.name === "test_name" && names.has("test_code")) {
      return "label";
    }
    return "category";
  });
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
  if (TIME_TYPE.test(column.type) || /^\d{4}-\d{2}-\d{2}T/.test(text)) {
    return /-01T00:00:00/.test(text) && column.name.endsWith("_month") ? text.slice(0, 7) : text.replace("T00:00:00", "");
  }
  return text;
}

function numberOrNull(value: Cell | undefined): number | null {
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

interface Indexed {
  column: ResultColumn;
  index: number;
}

/** The chart for the result's shape, with the user's choice where it fits (the first draws by default). */
export function chooseChart(columns: ResultColumn[], rows: Cell[][], choice: ChartChoice = {}, context: ChartContext = {}): ChartSpec {
  return planChart(columns, rows, choice, context).spec;
}

/**
 * The chart types and measures that fit a result's shape, by the roles of its columns:
 * - time and at most one category: lines over time (one per category value), or bars;
 * - pre-computed bins (bin_from, bin_to): a histogram of their counts;
 * - one or two categories: bars (one series per value of the second), or boxes when the rows hold
 *   distribution statistics (percentiles, min, max);
 * - one row and no keys: a single number, boxes of its statistics, or bars of its totals;
 * - rows of one measure and no keys: a histogram of its values;
 * - always: the table alone.
 * The default measure is a mean (or median, value, rate) when the result has one, else the first.
 */
export function planChart(columns: ResultColumn[], rows: Cell[][], choice: ChartChoice = {}, context: ChartContext = {}): ChartPlan {
  const roles = columnRoles(columns, rows);
  const all = columns.map((column, index) => ({ column, index }));
  const of = (role: Role) => all.filter(({ index }) => roles[index] === role);
  const measures = of("measure");
  const measureList = measures.map(({ column }) => ({ name: column.name, label: capitalized(humanName(column.name)) }));
  const none = (reason: string): ChartPlan => ({
    kinds: ["table"],
    kind: "table",
    measures: measureList,
    measure: null,
    spec: { kind: "none", reason },
  });
  if (rows.length === 0) {
    return none("The result is empty.");
  }
  if (measures.length === 0) {
    return none("The result has no numeric column to draw.");
  }
  const preferred =
    PREFERENCE.map((pattern) => measures.find(({ column }) => pattern.test(column.name))).find((found) => found) ?? measures[0]!;
  const measure = measures.find(({ column }) => column.name === choice.measure) ?? preferred;

  const units = unitsOf(columns, rows);
  const unitColumn = units.kind === "several" ? all[units.index] : undefined;
  const times = of("time");
  const categories = of("category");
  const labelColumn = of("label")[0];
  const bounds = of("bound");
  const keys = [...times, ...categories];
  const stats = BOX_FIGURES.map((patterns) =>
    patterns.map((pattern) => measures.find(({ column }) => pattern.test(column.name))).find((found) => found),
  );
  const hasBoxes =
    stats[0] !== undefined &&
    stats[4] !== undefined &&
    (stats[2] !== undefined || measures.some(({ column }) => /^(avg|mean)(_|$)/.test(column.name)));

  // the title: measure (of test) in unit, by keys; constant text columns (a test's code or name) name the test
  const constants = of("constant");
  const constantTest = ["test_name", "test_code"]
    .map((name) => constants.find(({ column }) => column.name === name))
    .find((found) => found);
  const test = context.test ?? (constantTest ? String(rows[0]![constantTest.index]) : undefined);
  /** The other constant columns, named in the title: " · hospital H001". */
  const fixed = constants
    .filter((constant) => constant !== constantTest && !(constantTest && ["test_name", "test_code"].includes(constant.column.name)))
    .map(({ column, index }) => ` · ${humanName(column.name)} ${label(rows[0]![index]!, column)}`)
    .join("");
  const unitOf = (column: ResultColumn) =>
    units.kind === "one" && (VALUE_MEASURE.test(column.name) || bounds.length > 0) ? units.unit : undefined;
  const title = (what: string, unit: string | undefined, by: Indexed[]) =>
    capitalized(what) +
    (test ? ` of ${test}` : "") +
    (unit ? ` (${unit})` : "") +
    (by.length > 0 ? " by " + by.map(({ column }) => humanName(column.name)).join(" and ") : "") +
    fixed;
  /** A key cell as a label; with its name when the result has one, and its unit when there are several. */
  const keyLabel = (row: Cell[], key: Indexed) =>
    label(row[key.index]!, key.column) +
    (labelColumn && key.column.name === "test_code" && row[labelColumn.index] ? ` ${String(row[labelColumn.index])}` : "") +
    (unitColumn && key !== unitColumn ? ` (${row[unitColumn.index] ?? "no unit"})` : "");

  const kinds: ChartKind[] = [];
  let build: (kind: ChartKind) => ChartSpec;
  const unit = unitOf(measure.column);
  const measureName = humanName(measure.column.name);

  if (bounds.length === 2) {
    // pre-computed bins: a histogram of the chosen count over the bins (of the first unit when several)
    const [from, to] = [all.find(({ column }) => column.name === "bin_from")!, all.find(({ column }) => column.name === "bin_to")!];
    const firstUnit = units.kind === "several" ? rows[0]![units.index] : undefined;
    const binRows = units.kind === "several" ? rows.filter((row) => row[units.index] === firstUnit) : rows;
    kinds.push("histogram", "bar");
    build = (kind) => ({
      kind: kind === "bar" ? "bar" : "histogram",
      title:
        title(`${measureName} per bin`, units.kind === "one" ? units.unit : firstUnit ? String(firstUnit) : undefined, []) +
        (units.kind === "several" ? " (first unit; the table has the others)" : ""),
      x: binRows.map((row) => `${String(row[from.index])}–${String(row[to.index])}`),
      series: [{ name: capitalized(measureName), values: binRows.map((row) => numberOrNull(row[measure.index])) }],
    });
  } else if (times.length === 1 && categories.length <= 1) {
    const time = times[0]!;
    const other = categories[0] ?? unitColumn;
    const x = [...new Set(rows.map((row) => label(row[time.index]!, time.column)))].sort();
    const groups = other ? [...new Set(rows.map((row) => keyLabel(row, other)))].sort() : [capitalized(measureName)];
    const series = groups.map((group) => {
      const values = x.map(() => null as number | null);
      for (const row of rows) {
        if (!other || keyLabel(row, other) === group) {
          values[x.indexOf(label(row[time.index]!, time.column))] = numberOrNull(row[measure.index]);
        }
      }
      return { name: group, values };
    });
    // many lines: the MAX_LINES with the most rows behind them (a count measure's sum, else points), named in the title
    const volume = measures.find(({ column }) => /^(count|n|results)$/.test(column.name));
    const weight = (group: string) =>
      rows
        .filter((row) => other && keyLabel(row, other) === group)
        .reduce((sum, row) => sum + (volume ? (numberOrNull(row[volume.index]) ?? 0) : 1), 0);
    const shown =
      series.length > MAX_LINES
        ? series
            .map((line) => ({ line, weight: weight(line.name) }))
            .sort((a, b) => b.weight - a.weight || a.line.name.localeCompare(b.line.name))
            .slice(0, MAX_LINES)
            .map(({ line }) => line)
            .sort((a, b) => a.name.localeCompare(b.name))
        : series;
    const which =
      series.length > MAX_LINES ? ` (the ${MAX_LINES} of ${series.length} ${humanName(other!.column.name)} values with most rows)` : "";
    kinds.push("line", "bar");
    build = (kind) => ({
      kind: kind === "bar" ? "bar" : "line",
      title: title(measureName, unit, categories[0] ? [time, categories[0]] : [time]) + which,
      x,
      series: shown,
      ...(unit ? { unit } : {}),
    });
  } else if (keys.length >= 1 && keys.length <= 2) {
    const [first, second] = keys as [Indexed, Indexed | undefined];
    if (hasBoxes && !second) {
      kinds.push("box");
    }
    kinds.push("bar");
    build = (kind) => {
      if (kind === "box") {
        const figure = (row: Cell[], found: Indexed | undefined) => (found ? numberOrNull(row[found.index]) : null);
        const centre = stats[2] ?? measures.find(({ column }) => /^(avg|mean)(_|$)/.test(column.name))!;
        const boxes = rows.map((row): Box | null => {
          const [low, high, middle] = [figure(row, stats[0]), figure(row, stats[4]), figure(row, centre)];
          if (low === null || high === null || middle === null) {
            return null;
          }
          return [low, figure(row, stats[1]) ?? middle, middle, figure(row, stats[3]) ?? middle, high];
        });
        const names = [stats[0], stats[1], centre, stats[3], stats[4]]
          .filter((found) => found)
          .map((found) => humanName(found!.column.name));
        return {
          kind: "box",
          title: title("distribution", units.kind === "one" ? units.unit : undefined, [first]),
          x: rows.map((row) => keyLabel(row, first)),
          boxes,
          note: "Boxes: " + [...new Set(names)].join(", "),
          ...(units.kind === "one" ? { unit: units.unit } : {}),
        };
      }
      if (!second) {
        return rows.length > 100
          ? { kind: "none", reason: `${rows.length} bars would not be readable; filter or group by fewer values.` }
          : {
              kind: "bar",
              title: title(measureName, unit, [first]),
              x: rows.map((row) => keyLabel(row, first)),
              series: [{ name: capitalized(measureName), values: rows.map((row) => numberOrNull(row[measure.index])) }],
              ...(unit ? { unit } : {}),
            };
      }
      const x = [...new Set(rows.map((row) => keyLabel(row, first)))];
      const groups = [...new Set(rows.map((row) => keyLabel(row, second)))].sort();
      if (x.length * groups.length > 200 || groups.length > 20) {
        return { kind: "none", reason: `${x.length} × ${groups.length} bars would not be readable; filter or group by fewer values.` };
      }
      return {
        kind: "bar",
        title: title(measureName, unit, [first, second]),
        x,
        series: groups.map((group) => {
          const values = x.map(() => null as number | null);
          for (const row of rows) {
            if (keyLabel(row, second) === group) {
              values[x.indexOf(keyLabel(row, first))] = numberOrNull(row[measure.index]);
            }
          }
          return { name: group, values };
        }),
        ...(unit ? { unit } : {}),
      };
    };
  } else if (keys.length === 0 && rows.length === 1) {
    kinds.push("number");
    if (hasBoxes) {
      kinds.unshift("box");
    }
    kinds.push("bar");
    build = (kind) => {
      const row = rows[0]!;
      if (kind === "number") {
        return { kind: "number", title: title(measureName, unit, []), value: numberOrNull(row[measure.index]), ...(unit ? { unit } : {}) };
      }
      if (kind === "box") {
        const centre = stats[2] ?? measures.find(({ column }) => /^(avg|mean)(_|$)/.test(column.name))!;
        const found = [stats[0], stats[1] ?? centre, centre, stats[3] ?? centre, stats[4]].map((f) => numberOrNull(row[f!.index]));
        return {
          kind: "box",
          title: title("distribution", units.kind === "one" ? units.unit : undefined, []),
          x: [test ?? "all rows"],
          boxes: [found.every((value) => value !== null) ? (found as Box) : null],
          note:
            "Box: " +
            [...new Set([stats[0], stats[1], centre, stats[3], stats[4]].filter((f) => f).map((f) => humanName(f!.column.name)))].join(
              ", ",
            ),
          ...(units.kind === "one" ? { unit: units.unit } : {}),
        };
      }
      return {
        kind: "bar",
        title: capitalized("totals" + (test ? ` of ${test}` : "")),
        x: measures.map(({ column }) => capitalized(humanName(column.name))),
        series: [{ name: "value", values: measures.map(({ index }) => numberOrNull(row[index])) }],
      };
    };
  } else if (keys.length === 0) {
    kinds.push("histogram");
    build = () => {
      const values = rows.map((row) => numberOrNull(row[measure.index])).filter((value): value is number => value !== null);
      const bins = histogram(values);
      return {
        kind: "histogram",
        title: title(`distribution of ${measureName}`, unit, []) + ` (${values.length} values)`,
        x: bins.x,
        series: [{ name: "rows", values: bins.counts }],
        ...(unit ? { unit } : {}),
      };
    };
  } else {
    return none("Too many grouping columns for one chart; the table shows them all.");
  }
  kinds.push("table");
  const kind = choice.kind && kinds.includes(choice.kind) ? choice.kind : kinds[0]!;
  return {
    kinds,
    kind,
    measures: measureList,
    measure: measure.column.name,
    spec: kind === "table" ? { kind: "none", reason: "Table only: pick a chart type to draw one." } : build(kind),
  };
}

/**
 * Which cells were withheld by small-cell suppression: the server sends them as null and counts
 * them. Only measures are suppressed, so a null in a measure column of a suppressed result is one.
 */
export function suppressedCell(columns: ResultColumn[], suppressedCells: number, columnIndex: number, value: Cell): boolean {
  return suppressedCells > 0 && value === null && isMeasure(columns[columnIndex]!);
}
