import type { ApiClient } from "./api";
import { type ChartChoice, type ChartContext, type ChartKind, KIND_NAMES, label, planChart, suppressedCell } from "./chartshape";
import { errorMessage, h, loading } from "./dom";
import { formatBytes, formatCount } from "./format";
import type { Cell, Estimate, ExportFormat, QueryAnswer, QueryTarget } from "./types";
import { dataTable, handleUnauthenticated, message, saveBlob } from "./ui";

/** The pre-flight estimate, shown before a query runs. */
export function estimateView(estimate: Estimate): HTMLElement {
  const overBudget = estimate.projected_bytes > estimate.budget_bytes;
  return h(
    "div",
    { class: "estimate", "data-testid": "estimate" },
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Files"),
      h("dd", {}, `${formatCount(estimate.files)} of ${formatCount(estimate.total_files)}`),
      h("dt", {}, "Bytes to scan"),
      h(
        "dd",
        { title: `${formatCount(estimate.bytes)} bytes in the files; ${formatCount(estimate.projected_bytes)} in the columns read` },
        formatBytes(estimate.projected_bytes),
      ),
      h("dt", {}, "Price"),
      h("dd", {}, formatPrice(estimate.price_usd)),
      h("dt", {}, "Your budget"),
      h("dd", {}, formatBytes(estimate.budget_bytes) + " per query"),
    ),
    estimate.full_scan
      ? h(
          "p",
          { class: "status warning", role: "note" },
          "Full scan: this query reads every file of the table. Narrow the hospitals or dates if you can.",
        )
      : null,
    overBudget ? h("p", { class: "status error", role: "alert" }, "Over your budget: the server will refuse to run it.") : null,
  );
}

export function formatPrice(usd: number): string {
  return usd < 0.01 ? "< $0.01" : "$" + usd.toFixed(2);
}

function cellText(value: Cell): string {
  if (value === null) {
    return "";
  }
  if (typeof value === "number") {
    return Number.isInteger(value) ? formatCount(value) : value.toLocaleString("en-US", { maximumFractionDigits: 4 });
  }
  return String(value);
}

/** The result table; suppressed cells are marked as such, not shown as blanks. */
export function resultTable(answer: QueryAnswer, caption = "Result"): HTMLElement {
  const { columns, rows } = answer.result;
  const numeric = columns.map((column) => /INT|DOUBLE|FLOAT|DECIMAL|REAL/i.test(column.type));
  return dataTable(
    caption,
    columns.map((column) => column.name),
    rows.map((row) =>
      row.map((value, index) =>
        suppressedCell(columns, answer.suppressed_cells, index, value)
          ? h("span", { class: "suppressed", title: "Suppressed: fewer patients than the small-cell threshold" }, "suppressed")
          : /TIMESTAMP/i.test(columns[index]!.type) && typeof value === "string"
            ? label(value, columns[index]!)
            : cellText(value),
      ),
    ),
    numeric,
  );
}

/** Figures of a run: rows, files and bytes scanned, time, cache, suppression. */
function answerFacts(answer: QueryAnswer): HTMLElement {
  return h(
    "p",
    { class: "meta", "data-testid": "result-facts" },
    `${formatCount(answer.result.rows.length)} rows · ${formatCount(answer.files_scanned)} files, ${formatBytes(answer.bytes_scanned)} scanned · ${formatCount(answer.elapsed_ms)} ms` +
      (answer.cached ? " · from the cache" : "") +
      (answer.suppressed_cells > 0 ? ` · ${formatCount(answer.suppressed_cells)} cells suppressed (small-cell rule)` : ""),
  );
}

/** The one test a query is for (a test_code filter of one value, or a predefined query's test), if any. */
export function testOf(target: QueryTarget): string | undefined {
  if (target.kind === "structured") {
    const filters = (target.query.filters ?? []).filter(
      (filter) => filter.column === "test_code" && (filter.op === "=" || filter.op === "in") && filter.values?.length === 1,
    );
    return filters.length === 1 ? String(filters[0]!.values![0]) : undefined;
  }
  if (target.kind === "predefined") {
    const code = target.parameters["test"] ?? target.parameters["tests"];
    return code && !code.includes(",") && code.trim() !== "" ? code.trim() : undefined;
  }
  return undefined;
}

const testNames = new Map<string, Promise<string>>();

/**
 * "Creatinine (2160-0)": a test's name from the table, looked up once per code; the code alone if it has
 * none or the lookup fails. A failed lookup is not remembered: the next chart of the test asks again.
 */
function testTitle(api: ApiClient, code: string): Promise<string> {
  let name = testNames.get(code);
  if (!name) {
    name = api
      .run({
        kind: "structured",
        query: {
          table: "lab_results",
          filters: [{ column: "test_code", op: "in", values: [code] }],
          group_by: [{ column: "test_name" }],
          aggregates: [{ function: "count" }],
          order_by: [{ column: "count", direction: "desc" }],
          limit: 1,
        },
      })
      .then((answer) => {
        const found = answer.result.rows[0]?.[0];
        return typeof found === "string" && found !== "" ? `${found} (${code})` : code;
      });
    name.catch(() => testNames.delete(code));
    testNames.set(code, name);
  }
  return name.catch(() => code);
}

function select(id: string, options: { value: string; label: string }[], value: string): HTMLSelectElement {
  const element = h("select", { id }, ...options.map((option) => h("option", { value: option.value }, option.label)));
  element.value = value;
  return element;
}

let pickerIds = 0;

/**
 * The chart of a result with pickers for the measure and the chart type (the default fits the result's
 * shape), drawn by ECharts loaded on first use, and PNG/SVG export.
 */
function chartView(api: ApiClient, target: QueryTarget, answer: QueryAnswer): HTMLElement {
  const { columns, rows } = answer.result;
  const choice: ChartChoice = {};
  const code = testOf(target);
  let context: ChartContext = code ? { test: code } : {};
  const id = ++pickerIds;
  const pickers = h("div", { class: "chart-pickers" });
  const holder = h("div", { class: "chart-holder" });
  const exports = h("div", { class: "buttons chart-exports" });
  const view = h("div", { class: "chart-view", "data-testid": "chart" }, pickers, holder, exports);
  let release: (() => void) | undefined;
  // each draw replaces the one before; a draw still loading ECharts when the next one starts (the test's
  // name arrived meanwhile) must not put its stale chart back when it finishes
  let drawing = 0;
  const draw = () => {
    const generation = ++drawing;
    release?.();
    release = undefined;
    const plan = planChart(columns, rows, choice, context);
    const kindPicker = select(
      `chart-kind-${id}`,
      plan.kinds.map((kind) => ({ value: kind, label: KIND_NAMES[kind] })),
      plan.kind,
    );
    kindPicker.addEventListener("change", () => {
      choice.kind = kindPicker.value as ChartKind;
      draw();
      view.querySelector<HTMLSelectElement>(`#chart-kind-${id}`)?.focus();
    });
    const fields: HTMLElement[] = [h("label", { class: "field" }, h("span", {}, "Chart"), kindPicker)];
    if (plan.measure !== null && plan.measures.length > 1 && plan.kind !== "box") {
      const measurePicker = select(
        `chart-measure-${id}`,
        plan.measures.map((measure) => ({ value: measure.name, label: measure.label })),
        plan.measure,
      );
      measurePicker.addEventListener("change", () => {
        choice.measure = measurePicker.value;
        draw();
        view.querySelector<HTMLSelectElement>(`#chart-measure-${id}`)?.focus();
      });
      fields.push(h("label", { class: "field" }, h("span", {}, "Measure"), measurePicker));
    }
    pickers.replaceChildren(...fields);
    exports.replaceChildren();
    const spec = plan.spec;
    if (spec.kind === "none") {
      holder.replaceChildren(
        h("p", { class: "status" }, (plan.kind === "table" && plan.kinds.length > 1 ? "" : "No chart: ") + spec.reason),
      );
      return;
    }
    if (spec.kind === "number") {
      holder.replaceChildren(
        h(
          "figure",
          { class: "single-number", "data-chart": "number" },
          h("figcaption", {}, spec.title),
          h(
            "p",
            { class: "number" },
            spec.value === null ? "suppressed or missing" : cellText(spec.value) + (spec.unit ? " " + spec.unit : ""),
          ),
        ),
      );
      return;
    }
    const canvas = h("div", { class: "chart", role: "img", "aria-label": `${spec.kind} chart: ${spec.title}`, "data-chart": spec.kind });
    holder.replaceChildren(loading("Loading the chart…"));
    void import("./charts")
      .then(({ drawChart }) => {
        if (generation !== drawing) {
          return;
        }
        holder.replaceChildren(canvas);
        const drawn = drawChart(canvas, spec);
        release = drawn.dispose;
        const file =
          spec.title
            .replace(/[^\w.-]+/g, "-")
            .replace(/^-|-$/g, "")
            .toLowerCase() || "chart";
        const png = h("button", { type: "button", class: "secondary", "data-export": "png" }, "Save PNG");
        png.addEventListener("click", () => saveBlob(drawn.png(), file + ".png"));
        const svg = h("button", { type: "button", class: "secondary", "data-export": "svg" }, "Save SVG");
        svg.addEventListener("click", () => saveBlob(drawn.svg(), file + ".svg"));
        exports.replaceChildren(png, svg);
      })
      .catch((error: unknown) => holder.replaceChildren(errorMessage("The chart could not be drawn: " + message(error))));
  };
  draw();
  // a predefined query's test left at its default is not in the target: read the default from the query
  const test: Promise<string | undefined> =
    code !== undefined || target.kind !== "predefined"
      ? Promise.resolve(code)
      : api
          .queries()
          .then(
            (queries) =>
              queries.find((query) => query.name === target.name)?.parameters.find((p) => p.name === "test")?.default ?? undefined,
          )
          .catch(() => undefined);
  if (!columns.some((column) => column.name === "test_name")) {
    void test
      .then((found) => (found ? testTitle(api, found) : undefined))
      .then((name) => {
        if (name === undefined) {
          return;
        }
        context = { test: name };
        draw();
      });
  }
  return view;
}

const ROW_CAPS =
  "Downloads hold the whole result, up to your role's row cap (by default 10,000 rows for viewers, 1,000,000 for analysts and admins; SQL downloads are streamed, so they may hold more rows than a query shown here); a larger result is refused: aggregate it or narrow it.";

/** Buttons that download the query's full result in each format, with the row cap explained. */
export function downloads(api: ApiClient, target: QueryTarget): HTMLElement {
  const status = h("div", { class: "download-status", "aria-live": "polite" });
  const names: Record<ExportFormat, string> = { csv: "CSV", parquet: "Parquet", json: "JSON" };
  const buttons = (["csv", "parquet", "json"] as ExportFormat[]).map((format) => {
    const button = h("button", { type: "button", class: "secondary", "data-format": format }, "Download " + names[format]);
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.replaceChildren(loading(`Preparing the ${names[format]} file…`));
      try {
        const file = await api.download(target, format);
        saveBlob(file.blob, file.filename);
        status.replaceChildren(
          h(
            "p",
            { class: "status" },
            `Downloaded ${file.filename} (${formatBytes(file.blob.size)})` +
              (file.rowCap !== null ? `; your row cap is ${formatCount(file.rowCap)} rows.` : "."),
          ),
        );
      } catch (error) {
        if (!handleUnauthenticated(error)) {
          status.replaceChildren(errorMessage(message(error)));
        }
      } finally {
        button.disabled = false;
      }
    });
    return button;
  });
  return h("div", { class: "downloads" }, h("div", { class: "buttons" }, ...buttons), h("p", { class: "hint" }, ROW_CAPS), status);
}

/** Results: figures, chart, table and downloads. */
export function resultView(api: ApiClient, target: QueryTarget, answer: QueryAnswer): HTMLElement {
  return h(
    "div",
    { class: "results", "data-testid": "results" },
    answerFacts(answer),
    answer.result.rows.length === 0 ? h("p", { class: "status" }, "No rows match.") : chartView(api, target, answer),
    answer.result.rows.length === 0 ? null : resultTable(answer),
    downloads(api, target),
  );
}

/**
 * The estimate-then-run panel shared by the query builder, predefined queries and the SQL editor:
 * {@code target()} returns the query to run or a one-line problem with the form.
 */
export function runner(
  api: ApiClient,
  target: () => QueryTarget | { error: string },
  onRun?: (target: QueryTarget) => void,
): { controls: HTMLElement; output: HTMLElement; estimate: () => Promise<void>; run: () => Promise<void> } {
  const estimateBox = h("div", { class: "estimate-box", "aria-live": "polite" });
  const output = h("div", { class: "output", "aria-live": "polite" });
  const estimateButton = h("button", { type: "button", class: "secondary" }, "Estimate");
  const runButton = h("button", { type: "button" }, "Run");
  const current = (): QueryTarget | null => {
    const value = target();
    if ("error" in value) {
      estimateBox.replaceChildren(errorMessage(value.error));
      return null;
    }
    return value;
  };
  const estimate = async () => {
    const query = current();
    if (!query) {
      return;
    }
    estimateButton.disabled = true;
    estimateBox.replaceChildren(loading("Estimating…"));
    try {
      estimateBox.replaceChildren(estimateView(await api.estimate(query)));
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        estimateBox.replaceChildren(errorMessage(message(error)));
      }
    } finally {
      estimateButton.disabled = false;
    }
  };
  const run = async () => {
    const query = current();
    if (!query) {
      return;
    }
    onRun?.(query);
    runButton.disabled = true;
    output.setAttribute("aria-busy", "true");
    output.replaceChildren(loading("Running…"));
    try {
      output.replaceChildren(resultView(api, query, await api.run(query)));
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        output.replaceChildren(errorMessage(message(error)));
      }
    } finally {
      runButton.disabled = false;
      output.removeAttribute("aria-busy");
    }
  };
  estimateButton.addEventListener("click", () => void estimate());
  runButton.addEventListener("click", () => void run());
  return {
    controls: h("div", { class: "run-controls" }, h("div", { class: "buttons" }, estimateButton, runButton), estimateBox),
    output,
    estimate,
    run,
  };
}
