import { ApiError, type ApiClient } from "../api";
import { paged } from "../paging";
import { buildCoverageGrid, HEAT_LEVELS, heatLevel, maxCellRows, type CoverageGrid } from "../coverage";
import { clear, errorMessage, h, loading } from "../dom";
import { formatBytes, formatCount } from "../format";
import type { Partition, Snapshot, TableContract, TableSummary } from "../types";
import { dataTable } from "../ui";

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
}

/** Runs {@code load} showing a loading state in {@code target}, then the rendered result or the error. */
async function section<T>(target: HTMLElement, load: () => Promise<T>, render: (value: T) => Node): Promise<void> {
  target.setAttribute("aria-busy", "true");
  target.replaceChildren(loading());
  try {
    const value = await load();
    target.replaceChildren(render(value));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.hash = "#/login?next=" + encodeURIComponent(location.hash);
      return;
    }
    target.replaceChildren(errorMessage(message(error)));
  } finally {
    target.removeAttribute("aria-busy");
  }
}

function scrollable(table: HTMLTableElement, label: string): HTMLElement {
  // a focusable region so keyboard users can scroll wide tables on narrow screens
  return h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}

function tablesTable(tables: TableSummary[], selected: string | undefined): Node {
  if (tables.length === 0) {
    return h("p", { class: "status" }, "No tables are visible to you.");
  }
  const body = h("tbody");
  for (const table of tables) {
    const current = table.name === selected;
    body.append(
      h(
        "tr",
        { class: current ? "selected" : undefined },
        h(
          "th",
          { scope: "row" },
          h("a", { href: `#/catalog/${encodeURIComponent(table.name)}`, "aria-current": current ? "page" : undefined }, table.name),
        ),
        h("td", { class: "text" }, table.description),
        h("td", { class: "num" }, formatCount(table.rows)),
        h("td", { class: "num" }, formatCount(table.data_files)),
        h("td", { class: "num", title: `${formatCount(table.bytes_on_disk)} bytes` }, formatBytes(table.bytes_on_disk)),
        h("td", { class: "num" }, formatCount(table.partitions)),
      ),
    );
  }
  return scrollable(
    h(
      "table",
      { class: "data" },
      h("caption", {}, "Tables"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Table"),
          h("th", { scope: "col" }, "Description"),
          h("th", { scope: "col", class: "num" }, "Rows"),
          h("th", { scope: "col", class: "num" }, "Files"),
          h("th", { scope: "col", class: "num" }, "Size"),
          h("th", { scope: "col", class: "num" }, "Partitions"),
        ),
      ),
      body,
    ),
    "Tables",
  );
}

function columnsTable(contract: TableContract): Node {
  const body = h("tbody");
  for (const column of contract.columns) {
    body.append(
      h(
        "tr",
        {},
        h("th", { scope: "row" }, h("code", {}, column.name)),
        h("td", {}, column.type.toLowerCase()),
        h("td", {}, column.required ? "yes" : "no"),
        h("td", { class: "text" }, column.description),
      ),
    );
  }
  return h(
    "div",
    {},
    h("p", { class: "table-description" }, contract.description),
    h(
      "p",
      { class: "meta" },
      "Partitioned by month of ",
      h("code", {}, contract.monthPartitionColumn),
      " and by ",
      h("code", {}, contract.identityPartitionColumn),
      contract.sortColumns.length > 0 ? "; sorted by " : "",
      contract.sortColumns.length > 0 ? h("code", {}, contract.sortColumns.join(", ")) : "",
      ".",
    ),
    scrollable(
      h(
        "table",
        { class: "data" },
        h("caption", {}, `Columns of ${contract.name}`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Column"),
            h("th", { scope: "col" }, "Type"),
            h("th", { scope: "col" }, "Required"),
            h("th", { scope: "col" }, "Description"),
          ),
        ),
        body,
      ),
      `Columns of ${contract.name}`,
    ),
  );
}

/** The heat-map's key: the shades from fewest to most rows, and the gap pattern. */
function heatLegend(max: number): HTMLElement {
  const shades = Array.from({ length: HEAT_LEVELS }, (_, index) => h("span", { class: `swatch heat-${index + 1}`, "aria-hidden": "true" }));
  return h(
    "p",
    { class: "meta heat-legend", "data-testid": "heat-legend" },
    "Fewer rows ",
    ...shades,
    ` more rows (up to ${formatCount(max)} per hospital-month) · `,
    h("span", { class: "swatch gap", "aria-hidden": "true" }),
    " gap: no data",
  );
}

/**
 * The hospital x month heat-map: each cell shaded by its rows relative to the fullest cell, with the
 * number; gaps are marked with text and a pattern, not by colour alone. It scrolls both ways
 * inside its box with the months and hospitals sticky.
 */
export function coverageTable(grid: CoverageGrid, tableName: string): Node {
  if (grid.hospitals.length === 0) {
    return h("p", { class: "status" }, "No data has been loaded into this table yet.");
  }
  const max = maxCellRows(grid);
  const head = h("tr", {}, h("th", { scope: "col" }, "Hospital"));
  for (const month of grid.months) {
    head.append(h("th", { scope: "col", class: "num" }, month));
  }
  const body = h("tbody");
  grid.hospitals.forEach((hospital, row) => {
    const line = h("tr", {}, h("th", { scope: "row" }, hospital));
    grid.cells[row]!.forEach((cell, column) => {
      const month = grid.months[column]!;
      line.append(
        cell === null
          ? h(
              "td",
              { class: "num gap", title: `${hospital} ${month}: no data` },
              h("span", { "aria-hidden": "true" }, "—"),
              h("span", { class: "visually-hidden" }, "gap: no data"),
            )
          : h(
              "td",
              {
                class: `num heat-${heatLevel(cell.rows, max)}`,
                title: `${hospital} ${month}: ${formatCount(cell.rows)} rows, ${formatCount(cell.files)} files, ${formatBytes(cell.bytes)}`,
              },
              formatCount(cell.rows),
            ),
      );
    });
    body.append(line);
  });
  const summary = grid.gaps === 0 ? "No gaps." : `${grid.gaps} gap${grid.gaps === 1 ? "" : "s"} (hospital-months without data, marked —).`;
  return h(
    "div",
    {},
    h(
      "p",
      { class: "meta" },
      `${grid.hospitals.length} hospitals, ${grid.months[0]} to ${grid.months[grid.months.length - 1]}. ${summary}`,
    ),
    heatLegend(max),
    h(
      "div",
      { class: "scroll coverage-map", tabindex: "0", role: "region", "aria-label": `Coverage of ${tableName}` },
      h("table", { class: "data coverage" }, h("caption", {}, `Rows per hospital and month in ${tableName}`), h("thead", {}, head), body),
    ),
  );
}

/** The catalogue: the tables, and for the selected one its columns and coverage. */
export function catalogPage(api: ApiClient, selected: string | undefined): HTMLElement {
  const tables = h("div", { class: "card" });
  const page = h("section", { class: "page page-catalog" }, h("h1", {}, "Catalogue"), tables);
  const detail = h("div", { class: "detail" });
  page.append(detail);
  const tablesLoaded: Promise<TableSummary[]> = api.tables();
  void section(
    tables,
    () => tablesLoaded,
    (list) => tablesTable(list, selected ?? list[0]?.name),
  );
  void tablesLoaded
    .then((list) => {
      const name = selected ?? list[0]?.name;
      if (name === undefined) {
        return;
      }
      clear(detail);
      const columns = h("div", { class: "card" });
      const coverage = h("div", { class: "card" });
      const snapshots = h("div", { class: "card" });
      detail.append(
        h("h2", { id: "columns-title" }, "Columns of ", h("code", {}, name)),
        columns,
        h("h2", { id: "coverage-title" }, "Coverage of ", h("code", {}, name)),
        coverage,
        h("h2", { id: "snapshots-title" }, "Snapshots of ", h("code", {}, name)),
        snapshots,
      );
      void section<TableContract>(columns, () => api.table(name), columnsTable);
      void section<Partition[]>(
        coverage,
        () => api.partitions(name),
        (partitions) => coverageTable(buildCoverageGrid(partitions), name),
      );
      void section<Snapshot[]>(
        snapshots,
        () => api.snapshots(name),
        (list) => snapshotsTable(list, name),
      );
    })
    .catch(() => {
      // the tables section shows the error
    });
  return page;
}

/** How many snapshots a page of the list shows. */
const SNAPSHOTS_PER_PAGE = 10;

/**
 * Snapshots newest first: every monthly load is one, so research can name the data it used. The
 * list is collapsed under the latest snapshot and shown a page at a time.
 */
function snapshotsTable(snapshots: Snapshot[], tableName: string): Node {
  if (snapshots.length === 0) {
    return h("p", { class: "status" }, "No snapshots yet.");
  }
  const newest = [...snapshots].reverse();
  const latest = newest[0]!;
  return h(
    "details",
    { class: "snapshots", "data-testid": "snapshots" },
    h(
      "summary",
      {},
      `${formatCount(newest.length)} snapshot${newest.length === 1 ? "" : "s"}; the latest `,
      h("code", {}, String(latest.snapshot_id)),
      ` committed ${latest.committed_at.replace("T", " ").slice(0, 19)} UTC (${formatCount(latest.total_rows)} rows)`,
    ),
    paged(newest, SNAPSHOTS_PER_PAGE, `Pages of the snapshots of ${tableName}`, (page) =>
      dataTable(
        `Snapshots of ${tableName}, newest first`,
        ["Snapshot", "Committed (UTC)", "Operation", "Hospital/month", "Run", "Rows added", "Rows deleted", "Total rows"],
        page.map((snapshot) => [
          h("code", {}, String(snapshot.snapshot_id)),
          snapshot.committed_at.replace("T", " ").slice(0, 19),
          snapshot.operation,
          snapshot.hospital_month ?? "",
          snapshot.run_id ?? "",
          formatCount(snapshot.added_rows),
          formatCount(snapshot.deleted_rows),
          formatCount(snapshot.total_rows),
        ]),
        [false, false, false, false, false, true, true, true],
      ),
    ),
  );
}
