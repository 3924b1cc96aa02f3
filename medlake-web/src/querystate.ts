import type { StructuredQuery } from "./types";

/**
 * The query builder's state. It lives in the URL (#/query?h=H001,H002&g=month&a=count,avg...), so
 * a query can be bookmarked and shared; toParams and fromParams are inverses.
 */
export interface BuilderState {
  hospitals: string[];
  /** LOINC test codes. */
  tests: string[];
  /** YYYY-MM-DD, both inclusive; "" when open. */
  from: string;
  to: string;
  sexes: string[];
  /** One of AGE_BANDS' keys, or "". */
  ageBand: string;
  valueMin: string;
  valueMax: string;
  flags: string[];
  groupBy: GroupKey[];
  aggregates: AggregateKey[];
  limit: number;
}

export const GROUPS = {
  hospital: { label: "Hospital", column: "hospital_id", output: "hospital_id" },
  test: { label: "Test", column: "test_code", output: "test_code" },
  month: { label: "Month", column: "collected_at", bucket: "month", output: "collected_at_month" },
  year: { label: "Year", column: "collected_at", bucket: "year", output: "collected_at_year" },
  age_band: { label: "Age band", column: "patient_birth_year", bucket: "age_band", output: "age_band" },
  sex: { label: "Sex", column: "patient_sex", output: "patient_sex" },
  flag: { label: "Abnormal flag", column: "abnormal_flag", output: "abnormal_flag" },
} as const satisfies Record<string, { label: string; column: string; bucket?: "month" | "year" | "age_band"; output: string }>;
export type GroupKey = keyof typeof GROUPS;

export const AGGREGATES = {
  count: { label: "Results", spec: { function: "count" } },
  patients: { label: "Distinct patients", spec: { function: "count_distinct_patients" } },
  avg: { label: "Mean value", spec: { function: "avg", column: "value_canonical" } },
  min: { label: "Minimum", spec: { function: "min", column: "value_canonical" }, rowLevel: true },
  max: { label: "Maximum", spec: { function: "max", column: "value_canonical" }, rowLevel: true },
  stddev: { label: "Standard deviation", spec: { function: "stddev", column: "value_canonical" } },
  p05: { label: "5th percentile", spec: { function: "percentile", column: "value_canonical", percentile: 0.05 } },
  p50: { label: "Median", spec: { function: "percentile", column: "value_canonical", percentile: 0.5 } },
  p95: { label: "95th percentile", spec: { function: "percentile", column: "value_canonical", percentile: 0.95 } },
  abnormal: { label: "% abnormal", spec: { function: "percent_abnormal" } },
} as const satisfies Record<string, { label: string; spec: { function: string; column?: string; percentile?: number }; rowLevel?: true }>;
export type AggregateKey = keyof typeof AGGREGATES;

/**
 * The aggregates a role may ask for: viewers see aggregates only, and the server refuses them the
 * minimum and maximum (one patient's value), so the builder does not offer them.
 */
export function aggregatesFor(role: string): AggregateKey[] {
  return (Object.keys(AGGREGATES) as AggregateKey[]).filter((key) => role !== "viewer" || !("rowLevel" in AGGREGATES[key]));
}

/** Age at collection in whole years (the server's age_band buckets). */
export const AGE_BANDS: Record<string, [number, number]> = {
  "0-17": [0, 17],
  "18-29": [18, 29],
  "30-39": [30, 39],
  "40-49": [40, 49],
  "50-59": [50, 59],
  "60-69": [60, 69],
  "70-79": [70, 79],
  "80-89": [80, 89],
  "90+": [90, 130],
};

export const SEXES = ["F", "M", "U"] as const;
export const FLAGS = ["N", "L", "H", "LL", "HH", "A"] as const;

export const DEFAULT_STATE: BuilderState = {
  hospitals: [],
  tests: [],
  from: "",
  to: "",
  sexes: [],
  ageBand: "",
  valueMin: "",
  valueMax: "",
  flags: [],
  groupBy: ["month"],
  aggregates: ["count", "patients"],
  limit: 1000,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function list(params: URLSearchParams, key: string): string[] {
  const value = params.get(key);
  return value === null || value === ""
    ? []
    : [
        ...new Set(
          value
            .split(",")
            .map((item) => item.trim())
            .filter((item) => item !== ""),
        ),
      ];
}

function known<T extends string>(values: string[], allowed: readonly string[]): T[] {
  return values.filter((value) => allowed.includes(value)) as T[];
}

/** The state a URL describes; unknown or malformed values fall back to the defaults. */
export function fromParams(params: URLSearchParams): BuilderState {
  const has = (key: string) => params.has(key);
  const limit = Number(params.get("limit"));
  const date = (key: string) => (DATE.test(params.get(key) ?? "") ? params.get(key)! : "");
  const number = (key: string) =>
    params.get(key) !== null && params.get(key) !== "" && Number.isFinite(Number(params.get(key))) ? params.get(key)! : "";
  return {
    hospitals: list(params, "h"),
    tests: list(params, "t"),
    from: date("from"),
    to: date("to"),
    sexes: known(list(params, "sex"), SEXES),
    ageBand: Object.hasOwn(AGE_BANDS, params.get("age") ?? "") ? params.get("age")! : "",
    valueMin: number("vmin"),
    valueMax: number("vmax"),
    flags: known(list(params, "flag"), FLAGS),
    groupBy: has("g") ? known<GroupKey>(list(params, "g"), Object.keys(GROUPS)) : [...DEFAULT_STATE.groupBy],
    aggregates: has("a") ? known<AggregateKey>(list(params, "a"), Object.keys(AGGREGATES)) : [...DEFAULT_STATE.aggregates],
    limit: Number.isInteger(limit) && limit >= 1 && limit <= 100_000 ? limit : DEFAULT_STATE.limit,
  };
}

/** The URL parameters of a state; defaults are left out so URLs stay short. */
export function toParams(state: BuilderState): URLSearchParams {
  const params = new URLSearchParams();
  const put = (key: string, value: string) => {
    if (value !== "") {
      params.set(key, value);
    }
  };
  put("h", state.hospitals.join(","));
  put("t", state.tests.join(","));
  put("from", state.from);
  put("to", state.to);
  put("sex", state.sexes.join(","));
  put("age", state.ageBand);
  put("vmin", state.valueMin);
  put("vmax", state.valueMax);
  put("flag", state.flags.join(","));
  if (state.groupBy.join(",") !== DEFAULT_STATE.groupBy.join(",")) {
    params.set("g", state.groupBy.join(","));
  }
  if (state.aggregates.join(",") !== DEFAULT_STATE.aggregates.join(",")) {
    params.set("a", state.aggregates.join(","));
  }
  if (state.limit !== DEFAULT_STATE.limit) {
    params.set("limit", String(state.limit));
  }
  return params;
}

/**
 * The birth years an age band covers for collection years {@code years}: age at collection is
 * year(collected_at) - birth year, so a band [lo, hi] is birth years [first - hi, last - lo].
 * Exact when the date range lies within one year, a little wider otherwise.
 */
export function birthYears(band: string, years: [number, number]): [number, number] | null {
  const ages = AGE_BANDS[band];
  return ages ? [years[0] - ages[1], years[1] - ages[0]] : null;
}

/** The collection years the state's date range spans, else {@code fallback} (the data's years). */
export function collectionYears(state: BuilderState, fallback: [number, number]): [number, number] {
  return [state.from ? Number(state.from.slice(0, 4)) : fallback[0], state.to ? Number(state.to.slice(0, 4)) : fallback[1]];
}

/** The structured query (docs/queries.md) the state describes, for table lab_results. */
export function toStructuredQuery(state: BuilderState, dataYears: [number, number]): StructuredQuery {
  const filters: NonNullable<StructuredQuery["filters"]> = [];
  const inList = (column: string, values: string[]) => {
    if (values.length > 0) {
      filters.push({ column, op: "in", values });
    }
  };
  inList("hospital_id", state.hospitals);
  inList("test_code", state.tests);
  if (state.from && state.to) {
    filters.push({ column: "collected_at", op: "between", values: [state.from, state.to + "T23:59:59.999999"] });
  } else if (state.from) {
    filters.push({ column: "collected_at", op: ">=", values: [state.from] });
  } else if (state.to) {
    filters.push({ column: "collected_at", op: "<=", values: [state.to + "T23:59:59.999999"] });
  }
  inList("patient_sex", state.sexes);
  const born = birthYears(state.ageBand, collectionYears(state, dataYears));
  if (born) {
    filters.push({ column: "patient_birth_year", op: "between", values: born });
  }
  if (state.valueMin !== "") {
    filters.push({ column: "value_canonical", op: ">=", values: [Number(state.valueMin)] });
  }
  if (state.valueMax !== "") {
    filters.push({ column: "value_canonical", op: "<=", values: [Number(state.valueMax)] });
  }
  inList("abnormal_flag", state.flags);
  const groupBy = state.groupBy.map((key) => {
    const spec: { column: string; bucket?: "month" | "year" | "age_band" } = GROUPS[key];
    return spec.bucket ? { column: spec.column, bucket: spec.bucket } : { column: spec.column };
  });
  return {
    table: "lab_results",
    filters,
    group_by: groupBy,
    aggregates: state.aggregates.map((key) => ({ ...AGGREGATES[key].spec })),
    order_by: state.groupBy.map((key) => ({ column: GROUPS[key].output, direction: "asc" as const })),
    limit: state.limit,
  };
}
