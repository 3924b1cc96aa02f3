import type { ApiClient } from "./api";
import { type ChartKind, KIND_NAMES, planChart } from "./chartshape";
import { answerFileName, answerCsv } from "./dashboard";
import { errorMessage, h, loading } from "./dom";
import { formatCount } from "./format";
import { resultTable } from "./results";
import type { DashboardFilters, DashboardTile, QueryAnswer } from "./types";
import { handleUnauthenticated, message, saveBlob } from "./ui";

/** What a tile is about, in words: "Structured query on lab_results" or "Predefined query volumes". */
export function tileSource(tile: DashboardTile): string {
  return tile.predefined ? `Predefined query ${tile.predefined.name}` : `Structured query on ${tile.query?.table ?? "?"}`;
}

/** One tile of a dashboard: runs through the server's tile endpoint, draws its chart, exports PNG/SVG/CSV. */
export interface TileView {
  element: HTMLElement;
  /** Runs the tile with the filters (the dashboard's saved ones when undefined); resolves when drawn. */
  run: (filters: DashboardFilters | undefined) => Promise<void>;
  dispose: () => void;
}

function facts(answer: QueryAnswer): string {
  return (
    `${formatCount(answer.result.rows.length)} rows` +
    (answer.cached ? " · from the cache" : "") +
    (answer.suppressed_cells > 0 ? ` · ${formatCount(answer.suppressed_cells)} cells suppressed (small-cell rule)` : "")
  );
}

export function tileView(api: ApiClient, dashboardId: number, tile: DashboardTile): TileView {
  const body = h("div", { class: "tile-body", "aria-live": "polite" });
  const meta = h("p", { class: "meta tile-facts" });
  const exports = h("div", { class: "buttons tile-exports" });
  const heading = h("h2", { id: `tile-${tile.id}-title` }, tile.title);
  const element = h(
    "article",
    {
      class: "tile card" + (tile.width === 2 ? " tile-wide" : ""),
      "data-tile": tile.id,
      "data-runs": "0",
      "aria-labelledby": heading.id,
    },
    heading,
    meta,
    body,
    exports,
  );
  let release: (() => void) | undefined;
  let runs = 0;
  const dispose = () => {
    release?.();
    release = undefined;
  };
  const csvButton = (answer: QueryAnswer) => {
    const csv = h("button", { type: "button", class: "secondary", "data-export": "csv" }, "Save CSV");
    csv.setAttribute("aria-label", `Save CSV of ${tile.title}`);
    csv.addEventListener("click", () =>
      saveBlob(
        new Blob([answerCsv(answer.result.columns, answer.result.rows)], { type: "text/csv;charset=utf-8" }),
        answerFileName(tile.title) + ".csv",
      ),
    );
    return csv;
  };
  const draw = async (answer: QueryAnswer) => {
    dispose();
    const { columns, rows } = answer.result;
    meta.textContent = facts(answer);
    const kind = tile.chart.type as ChartKind;
    const plan = planChart(columns, rows, { kind, ...(tile.chart.measure ? { measure: tile.chart.measure } : {}) });
    const spec = plan.spec;
    const table = () => resultTable(answer, tile.title);
    exports.replaceChildren(csvButton(answer));
    if (rows.length === 0) {
      body.replaceChildren(h("p", { class: "status" }, "No rows match."));
      return;
    }
    if (kind === "table" || spec.kind === "none") {
      const note =
        kind !== "table" && spec.kind === "none"
          ? h("p", { class: "status" }, `No ${KIND_NAMES[kind].toLowerCase()} chart: ${spec.reason}`)
          : null;
      body.replaceChildren(...[note, table()].filter((node): node is HTMLElement => node !== null));
      return;
    }
    if (plan.kind !== kind) {
      meta.textContent += ` · drawn as ${KIND_NAMES[plan.kind].toLowerCase()}: a ${KIND_NAMES[kind].toLowerCase()} chart does not fit this result`;
    }
    if (spec.kind === "number") {
      const value =
        spec.value === null
          ? "suppressed or missing"
          : spec.value.toLocaleString("en-US", { maximumFractionDigits: 4 }) + (spec.unit ? " " + spec.unit : "");
      body.replaceChildren(
        h(
          "figure",
          { class: "single-number", "data-chart": "number" },
          h("figcaption", {}, spec.title),
          h("p", { class: "number" }, value),
        ),
      );
      return;
    }
    const canvas = h("div", { class: "chart", role: "img", "aria-label": `${spec.kind} chart: ${spec.title}`, "data-chart": spec.kind });
    body.replaceChildren(canvas);
    const { drawChart } = await import("./charts");
    const drawn = drawChart(canvas, spec);
    release = drawn.dispose;
    const png = h(
      "button",
      { type: "button", class: "secondary", "data-export": "png", "aria-label": `Save PNG of ${tile.title}` },
      "Save PNG",
    );
    png.addEventListener("click", () => saveBlob(drawn.png(), answerFileName(tile.title) + ".png"));
    const svg = h(
      "button",
      { type: "button", class: "secondary", "data-export": "svg", "aria-label": `Save SVG of ${tile.title}` },
      "Save SVG",
    );
    svg.addEventListener("click", () => saveBlob(drawn.svg(), answerFileName(tile.title) + ".svg"));
    exports.replaceChildren(png, svg, csvButton(answer));
  };
  const run = async (filters: DashboardFilters | undefined) => {
    element.setAttribute("aria-busy", "true");
    body.replaceChildren(loading("Running…"));
    try {
      const answer = await api.runTile(dashboardId, tile.id, filters);
      runs++;
      element.dataset.runs = String(runs);
      await draw(answer);
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        dispose();
        exports.replaceChildren();
        meta.textContent = "";
        body.replaceChildren(errorMessage(message(error)));
      }
    } finally {
      element.removeAttribute("aria-busy");
    }
  };
  return { element, run, dispose };
}
