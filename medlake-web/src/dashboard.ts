import type { ChartKind } from "./chartshape";
import { AGE_BANDS, SEXES } from "./querystate";
import type { Cell, Dashboard, DashboardDraft, DashboardFilters, DashboardTile, ResultColumn, TableSummary } from "./types";

/** Tiles a dashboard holds at most (DashboardDraft.tiles maxItems). */
export const MAX_TILES = 24;
/** A dashboard's name at most (DashboardDraft.name maxLength). */
export const MAX_NAME = 120;

const TILE_ID = /^[a-z0-9-]{1,40}$/;
const MONTH = /^\d{4}-\d{2}$/;

/** The chart types of a tile as the editor offers them (ChartType in the OpenAPI document). */
export const TILE_CHARTS: readonly ChartKind[] = ["line", "bar", "box", "histogram", "table", "number"];

function list(params: URLSearchParams, key: string, allowed?: readonly string[]): string[] {
  const value = params.get(key) ?? "";
  const items = [
    ...new Set(
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    ),
  ];
  return allowed ? items.filter((item) => allowed.includes(item)) : items;
}

/** Filters without their empty fields: an absent or empty field does not filter. */
export function compactFilters(filters: DashboardFilters): DashboardFilters {
  const out: DashboardFilters = {};
  for (const key of ["hospitals", "tests", "sex", "age_bands"] as const) {
    const values = filters[key];
    if (values && values.length > 0) {
      out[key] = [...values];
    }
  }
  if (filters.from_month && MONTH.test(filters.from_month)) {
    out.from_month = filters.from_month;
  }
  if (filters.to_month && MONTH.test(filters.to_month)) {
    out.to_month = filters.to_month;
  }
  return out;
}

/**
 * The filters a dashboard's URL chooses (#/dashboards/7?f=1&h=H001&from=2024-01...), or null when it
 * chooses none (f absent): the dashboard's saved filters apply then. "f=1" alone is the choice of
 * no filter at all, so clearing a saved filter survives a reload and a shared link.
 */
export function filtersFromParams(params: URLSearchParams): DashboardFilters | null {
  if (params.get("f") !== "1") {
    return null;
  }
  const month = (key: string) => (MONTH.test(params.get(key) ?? "") ? params.get(key)! : "");
  return compactFilters({
    hospitals: list(params, "h"),
    tests: list(params, "t"),
    from_month: month("from"),
    to_month: month("to"),
    sex: list(params, "sex", SEXES),
    age_bands: list(params, "age", Object.keys(AGE_BANDS)),
  });
}

/** The URL parameters of chosen filters; filtersFromParams is its inverse. */
export function filtersToParams(filters: DashboardFilters): URLSearchParams {
  const params = new URLSearchParams({ f: "1" });
  const put = (key: string, value: string | undefined) => {
    if (value) {
      params.set(key, value);
    }
  };
  const compact = compactFilters(filters);
  put("h", compact.hospitals?.join(","));
  put("t", compact.tests?.join(","));
  put("from", compact.from_month);
  put("to", compact.to_month);
  put("sex", compact.sex?.join(","));
  put("age", compact.age_bands?.join(","));
  return params;
}

/** Whether two sets of filters filter the same (field order and empty fields aside). */
export function sameFilters(a: DashboardFilters, b: DashboardFilters): boolean {
  return filtersToParams(a).toString() === filtersToParams(b).toString();
}

/** A tile id from its title, unique among {@code taken}: "Volumes per month" -> "volumes-per-month" (-2, -3...). */
export function tileId(title: string, taken: readonly string[]): string {
  const base =
    title
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 34)
      .replace(/-+$/, "") || "tile";
  let id = base;
  for (let n = 2; taken.includes(id); n++) {
    id = `${base}-${n}`;
  }
  return id;
}

/** The first problem of a draft as one line naming the field, or null: what the server would refuse. */
export function draftProblem(draft: DashboardDraft): string | null {
  const name = draft.name.trim();
  if (name === "") {
    return "The dashboard needs a name.";
  }
  if (name.length > MAX_NAME) {
    return `The name has ${name.length} characters; at most ${MAX_NAME}.`;
  }
  if (draft.tiles.length > MAX_TILES) {
    return `The dashboard has ${draft.tiles.length} tiles; at most ${MAX_TILES}.`;
  }
  if (draft.sharing.visibility === "roles" && draft.sharing.roles.length === 0) {
    return "Shared with roles, but no role is ticked: tick one or make it private.";
  }
  const seen = new Set<string>();
  for (const [index, tile] of draft.tiles.entries()) {
    const where = `Tile ${index + 1}`;
    if (!TILE_ID.test(tile.id)) {
      return `${where}: id '${tile.id}' must be 1 to 40 of a-z, 0-9 and -.`;
    }
    if (seen.has(tile.id)) {
      return `${where}: id '${tile.id}' is used twice.`;
    }
    seen.add(tile.id);
    if (tile.title.trim() === "") {
      return `${where}: the tile needs a title.`;
    }
    if ((tile.query === undefined) === (tile.predefined === undefined)) {
      return `${where} '${tile.title}': give a structured query or a predefined query, exactly one.`;
    }
  }
  const from = draft.filters.from_month;
  const to = draft.filters.to_month;
  if (from && to && from > to) {
    return `The period is reversed: ${from} is after ${to}.`;
  }
  return null;
}

/** The draft that saves a dashboard again (PUT): its fields, and the version the edit started from. */
export function draftOf(dashboard: Dashboard): DashboardDraft {
  return {
    name: dashboard.name,
    description: dashboard.description,
    sharing: { visibility: dashboard.sharing.visibility, roles: [...dashboard.sharing.roles] },
    filters: compactFilters(dashboard.filters),
    tiles: dashboard.tiles.map((tile) => structuredClone(tile)),
    base_version: dashboard.version,
  };
}

/** Moves the tile at {@code index} by {@code step} (-1 up, +1 down); the same list when it cannot move. */
export function moveTile(tiles: DashboardTile[], index: number, step: -1 | 1): DashboardTile[] {
  const target = index + step;
  if (index < 0 || index >= tiles.length || target < 0 || target >= tiles.length) {
    return tiles;
  }
  const moved = [...tiles];
  [moved[index], moved[target]] = [moved[target]!, moved[index]!];
  return moved;
}

/** Who may edit, delete and restore: the owner and admins (the server checks the same). */
export function mayEdit(dashboard: { owner: string }, user: { name: string; role: string }): boolean {
  return user.role === "admin" || (user.role === "analyst" && dashboard.owner === user.name);
}

/** How a dashboard is shared, in words: "private" or "admin, viewer". */
export function sharingText(sharing: Dashboard["sharing"]): string {
  return sharing.visibility === "private" || sharing.roles.length === 0 ? "private" : "shared with " + sharing.roles.join(", ");
}

/**
 * What the tiles' data is at: each table's current snapshot, as one comparable text. A dashboard
 * reruns its tiles only when this changes (the server's cache is keyed by snapshot, so a rerun of an
 * unchanged table would cost nothing but would still be a request per tile).
 */
export function snapshotState(tables: { name: TableSummary["name"]; current_snapshot_id: number | string | null }[]): string {
  return tables
    .map((table) => `${table.name}=${table.current_snapshot_id === null ? "" : String(table.current_snapshot_id)}`)
    .sort()
    .join(";");
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/**
 * A text cell a spreadsheet would run as a formula gets a leading apostrophe: the rule of the
 * server's CSV files (CsvCells.neutralise in medlake-core), so a tile's CSV is as safe to open.
 */
export function neutralise(cell: string): string {
  return /^[ \n\u00a0]*[=+\-@\t\r]/.test(cell) ? "'" + cell : cell;
}

/**
 * A tile's answer as CSV (RFC 4180, CRLF): the header, then the rows as the server answered them; a
 * null cell (missing, or suppressed by the small-cell rule) is an empty field, numbers are written
 * as numbers, text cells through {@link neutralise}.
 */
export function answerCsv(columns: ResultColumn[], rows: Cell[][]): string {
  const lines = [columns.map((column) => csvField(neutralise(column.name))).join(",")];
  for (const row of rows) {
    lines.push(
      row
        .map((cell) =>
          cell === null || cell === undefined ? "" : typeof cell === "string" ? csvField(neutralise(cell)) : csvField(String(cell)),
        )
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

/** A file name from a title: "Volumes per month" -> "volumes-per-month". */
export function answerFileName(title: string): string {
  return (
    title
      .replace(/[^\w.-]+/g, "-")
      .replace(/^-|-$/g, "")
      .toLowerCase() || "tile"
  );
}
