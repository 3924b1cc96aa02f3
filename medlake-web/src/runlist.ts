import { h } from "./dom";
import { paged } from "./paging";
import type { IngestRun } from "./types";
import { field } from "./ui";

/** How many runs a page of the list shows. */
export const RUNS_PER_PAGE = 20;

/** What the runs list is narrowed to; "" means any. */
export interface RunFilter {
  hospital: string;
  status: string;
  month: string;
}

/** The runs that match the filter, newest first. */
export function filterRuns(runs: readonly IngestRun[], filter: RunFilter): IngestRun[] {
  return runs
    .filter(
      (run) =>
        (filter.hospital === "" || run.hospital_id === filter.hospital) &&
        (filter.status === "" || run.status === filter.status) &&
        (filter.month === "" || run.month === filter.month),
    )
    .sort((a, b) => b.started_at.localeCompare(a.started_at));
}

/** The distinct values of a run field, sorted (newest first for months). */
function choices(runs: readonly IngestRun[], key: "hospital_id" | "status" | "month"): string[] {
  const values = [...new Set(runs.map((run) => run[key]))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return key === "month" ? values.reverse() : values;
}

/** The filter a runs page's URL names (#/runs?hospital=H001&status=HELD&month=2024-01). */
export function runFilterOf(params: URLSearchParams): RunFilter {
  return { hospital: params.get("hospital") ?? "", status: params.get("status") ?? "", month: params.get("month") ?? "" };
}

/** The URL parameters of a filter: only those that narrow. */
export function runFilterParams(filter: RunFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value !== "") {
      params.set(key, value);
    }
  }
  return params;
}

/**
 * The runs list with filters by hospital, status and month, shown a page at a time, starting from
 * {@code initial} (the page's URL) and telling {@code changed} each new filter (to keep it in the
 * URL); {@code render} draws the runs of a page (runs.ts's table).
 */
export function runsList(
  runs: readonly IngestRun[],
  render: (runs: IngestRun[]) => Node,
  initial: RunFilter,
  changed: (filter: RunFilter) => void,
): HTMLElement {
  // a value from a shared link that no run has (yet) is still shown as chosen
  const select = (key: "hospital_id" | "status" | "month", value: string, testId: string) =>
    h(
      "select",
      { "data-testid": testId },
      h("option", { value: "" }, "any"),
      ...[...choices(runs, key), ...(value === "" || choices(runs, key).includes(value) ? [] : [value])].map((choice) =>
        h("option", { value: choice, selected: choice === value }, choice),
      ),
    );
  const hospital = select("hospital_id", initial.hospital, "runs-filter-hospital");
  const status = select("status", initial.status, "runs-filter-status");
  const month = select("month", initial.month, "runs-filter-month");
  const shown = h("div", { "aria-live": "polite" });
  const show = (): void => {
    const filter = { hospital: hospital.value, status: status.value, month: month.value };
    const matching = filterRuns(runs, filter);
    shown.replaceChildren(
      matching.length === 0
        ? h("p", { class: "status" }, runs.length === 0 ? "No ingestion runs yet." : "No runs match the filters.")
        : paged(matching, RUNS_PER_PAGE, "Pages of the runs", render),
    );
  };
  for (const control of [hospital, status, month]) {
    control.addEventListener("change", () => {
      show();
      changed({ hospital: hospital.value, status: status.value, month: month.value });
    });
  }
  show();
  return h(
    "div",
    {},
    h(
      "form",
      { class: "inline-form", "aria-label": "Run filters" },
      field("Hospital", hospital),
      field("Status", status),
      field("Month", month),
    ),
    shown,
  );
}
