import type { ApiClient } from "./api";
import { chooseChart, label, suppressedCell } from "./chartshape";
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

/** The chart that fits the result's shape, drawn by ECharts loaded on first use. */
function chartView(answer: QueryAnswer): HTMLElement {
  const spec = chooseChart(answer.result.columns, answer.result.rows);
  if (spec.kind === "none") {
    return h("p", { class: "status" }, "No chart: " + spec.reason);
  }
  const canvas = h("div", { class: "chart", role: "img", "aria-label": `${spec.kind} chart: ${spec.title}`, "data-chart": spec.kind });
  const holder = h("div", { class: "chart-holder" }, loading("Loading the chart…"));
  void import("./charts")
    .then(({ drawChart }) => {
      holder.replaceChildren(canvas);
      drawChart(canvas, spec);
    })
    .catch((error: unknown) => holder.replaceChildren(errorMessage("The chart could not be drawn: " + message(error))));
  return holder;
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
    answer.result.rows.length === 0 ? h("p", { class: "status" }, "No rows match.") : chartView(answer),
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
