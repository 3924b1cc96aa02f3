import { ApiError, type ApiClient } from "../api";
import { KIND_NAMES } from "../chartshape";
import { draftOf, draftProblem, MAX_TILES, moveTile, TILE_CHARTS, tileId } from "../dashboard";
import { filterForm } from "../dashfilters";
import { errorMessage, h, loading } from "../dom";
import { formFields, formParameters } from "../paramform";
import { testPicker, type Vocabulary } from "../pickers";
import { AGGREGATES, aggregatesFor, DEFAULT_STATE, GROUPS, toStructuredQuery, type AggregateKey, type GroupKey } from "../querystate";
import { routeHash } from "../router";
import { tileSource } from "../tileview";
import type { ChartType, Dashboard, DashboardDraft, DashboardTile, Me, PredefinedQuerySummary, Role } from "../types";
import { checkboxes, field, handleUnauthenticated, message } from "../ui";

/** The roles a dashboard can be shared with (uploaders see no dashboards). */
const SHARE_ROLES: Role[] = ["admin", "analyst", "viewer"];

/** A 409 of a stale edit in words. */
export function conflictText(error: unknown): string | null {
  return error instanceof ApiError && error.status === 409
    ? error.message + " Someone saved this dashboard meanwhile: reload it to see their version, then edit again."
    : null;
}

function select(id: string, options: { value: string; label: string }[], value: string): HTMLSelectElement {
  const element = h("select", { id }, ...options.map((option) => h("option", { value: option.value }, option.label)));
  element.value = value;
  return element;
}

const CHART_OPTIONS = TILE_CHARTS.map((kind) => ({ value: kind, label: KIND_NAMES[kind] }));
const WIDTH_OPTIONS = [
  { value: "1", label: "Half width" },
  { value: "2", label: "Full width" },
];

/**
 * The dashboard editor: name, description, sharing, the default filters, and the tiles (added from
 * the builder's group-by and aggregates or from a predefined query; chart type, width and order
 * editable). Saving a dashboard that exists sends the version the edit started from: a newer one
 * saved meanwhile is a 409, said in words.
 */
export function dashboardEditor(
  api: ApiClient,
  user: Me,
  vocabulary: Vocabulary,
  queries: PredefinedQuerySummary[],
  existing: Dashboard | null,
  saved: (dashboard: Dashboard) => void,
): HTMLElement {
  const draft: DashboardDraft = existing
    ? draftOf(existing)
    : { name: "", description: "", sharing: { visibility: "private", roles: [] }, filters: {}, tiles: [] };
  const name = h("input", { type: "text", id: "dashboard-name", maxlength: "120", required: true, value: draft.name });
  const description = h("textarea", { id: "dashboard-description", rows: "2" }, draft.description ?? "");

  const privateRadio = h("input", { type: "radio", name: "sharing", id: "sharing-private", value: "private" });
  const rolesRadio = h("input", { type: "radio", name: "sharing", id: "sharing-roles", value: "roles" });
  privateRadio.checked = draft.sharing.visibility === "private";
  rolesRadio.checked = draft.sharing.visibility === "roles";
  const roles = checkboxes(
    "Roles that may open it",
    SHARE_ROLES.map((role) => ({ value: role, label: role })),
    draft.sharing.roles,
  );
  roles.element.classList.add("share-roles");
  const sharing = h(
    "fieldset",
    { class: "checks sharing" },
    h("legend", {}, "Sharing"),
    h("label", { class: "check", for: privateRadio.id }, privateRadio, " Private: you and admins"),
    h("label", { class: "check", for: rolesRadio.id }, rolesRadio, " Shared with roles"),
    roles.element,
  );
  const filters = filterForm(vocabulary, draft.filters, "default-filter");

  let tiles: DashboardTile[] = draft.tiles;
  const tileList = h("ol", { class: "tile-list", "aria-label": "Tiles" });
  const renderTiles = () => {
    tileList.replaceChildren(
      ...tiles.map((tile, index) => {
        const title = h("input", { type: "text", id: `edit-tile-${tile.id}-title`, value: tile.title });
        title.addEventListener("change", () => (tile.title = title.value));
        const chart = select(`edit-tile-${tile.id}-chart`, CHART_OPTIONS, tile.chart.type);
        chart.addEventListener("change", () => (tile.chart = { ...tile.chart, type: chart.value as ChartType }));
        const width = select(`edit-tile-${tile.id}-width`, WIDTH_OPTIONS, String(tile.width ?? 1));
        width.addEventListener("change", () => (tile.width = Number(width.value) as 1 | 2));
        const button = (text: string, label: string, action: () => void, disabled = false) => {
          const element = h("button", { type: "button", class: "secondary small", "aria-label": label, disabled }, text);
          element.addEventListener("click", () => {
            action();
            renderTiles();
          });
          return element;
        };
        return h(
          "li",
          { class: "tile-item card", "data-tile": tile.id },
          h("p", { class: "meta" }, `${index + 1}. ${tileSource(tile)}`),
          h("div", { class: "grid-fields" }, field("Title", title), field("Chart", chart), field("Width", width)),
          h(
            "div",
            { class: "buttons" },
            button("Up", `Move ${tile.title} up`, () => (tiles = moveTile(tiles, index, -1)), index === 0),
            button("Down", `Move ${tile.title} down`, () => (tiles = moveTile(tiles, index, 1)), index === tiles.length - 1),
            button("Remove", `Remove ${tile.title}`, () => (tiles = tiles.filter((other) => other !== tile))),
          ),
        );
      }),
    );
    if (tiles.length === 0) {
      tileList.replaceChildren(h("li", { class: "status" }, "No tile yet: add one below."));
    }
  };
  renderTiles();

  const adder = tileAdder(user, vocabulary, queries, (tile) => {
    if (tiles.length >= MAX_TILES) {
      return `A dashboard holds at most ${MAX_TILES} tiles.`;
    }
    tiles = [
      ...tiles,
      {
        ...tile,
        id: tileId(
          tile.title,
          tiles.map((other) => other.id),
        ),
      },
    ];
    renderTiles();
    return null;
  });

  const status = h("div", { class: "save-status", "aria-live": "polite" });
  const save = h("button", { type: "submit" }, existing ? "Save a new version" : "Save dashboard");
  const form = h(
    "form",
    { class: "dashboard-editor", "aria-label": "Dashboard", novalidate: true },
    h("div", { class: "card" }, field("Name", name), field("Description", description, "Optional: what the dashboard is for."), sharing),
    h(
      "div",
      { class: "card" },
      h("h2", {}, "Filters every tile gets"),
      h("p", { class: "hint" }, "Viewers of the dashboard can change them for themselves."),
      filters.element,
    ),
    h("div", { class: "card" }, h("h2", {}, "Tiles"), tileList),
    adder,
    h(
      "div",
      { class: "card sticky-actions" },
      h(
        "div",
        { class: "buttons" },
        save,
        h(
          "a",
          { class: "button secondary", href: existing ? routeHash("dashboards", String(existing.id)) : routeHash("dashboards") },
          "Cancel",
        ),
        existing ? deleteButton(api, existing, status) : null,
      ),
      status,
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const visibility = rolesRadio.checked ? "roles" : "private";
    const next: DashboardDraft = {
      ...draft,
      name: name.value.trim(),
      description: description.value.trim(),
      sharing: { visibility, roles: visibility === "roles" ? (roles.values() as Role[]) : [] },
      filters: filters.values(),
      tiles,
    };
    const problem = draftProblem(next);
    if (problem !== null) {
      status.replaceChildren(errorMessage(problem));
      return;
    }
    save.disabled = true;
    status.replaceChildren(loading("Saving…"));
    try {
      saved(existing ? await api.updateDashboard(existing.id, next) : await api.createDashboard(next));
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(conflictText(error) ?? message(error)));
      }
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** Delete in two steps: the first click asks, the second deletes (the history goes with it). */
function deleteButton(api: ApiClient, dashboard: Dashboard, status: HTMLElement): HTMLElement {
  const button = h("button", { type: "button", class: "secondary", "data-action": "delete" }, "Delete…");
  let armed = false;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = `Really delete '${dashboard.name}' and its history?`;
      return;
    }
    button.disabled = true;
    try {
      await api.deleteDashboard(dashboard.id);
      location.hash = routeHash("dashboards");
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
      button.disabled = false;
    }
  });
  return button;
}

/**
 * The "add a tile" part of the editor: a title, a structured query from the builder's pieces (tests,
 * group-by, aggregates, row limit; the dashboard's filters add hospitals, period, sex and age) or a
 * predefined query with its parameters, the chart type, the measure and the width. {@code add}
 * returns a problem, or null when the tile was added.
 */
function tileAdder(
  user: Me,
  vocabulary: Vocabulary,
  queries: PredefinedQuerySummary[],
  add: (tile: Omit<DashboardTile, "id">) => string | null,
): HTMLElement {
  const title = h("input", { type: "text", id: "tile-title" });
  const structuredRadio = h("input", { type: "radio", name: "tile-source", id: "tile-source-structured", value: "structured" });
  const predefinedRadio = h("input", { type: "radio", name: "tile-source", id: "tile-source-predefined", value: "predefined" });
  structuredRadio.checked = true;
  const tests = testPicker(vocabulary.tests, [], () => undefined, { id: "tile-tests", legend: "Tests of this tile (none chosen: all)" });
  const groups = checkboxes(
    "Group by",
    Object.entries(GROUPS).map(([key, group]) => ({ value: key, label: group.label })),
    ["month"],
  );
  groups.element.classList.add("tile-groups");
  const aggregates = checkboxes(
    "Aggregates",
    aggregatesFor(user.role).map((key) => ({ value: key, label: AGGREGATES[key].label })),
    ["count"],
  );
  aggregates.element.classList.add("tile-aggregates");
  const limit = h("input", { type: "number", id: "tile-limit", min: "1", max: "100000", step: "1", value: "1000" });
  const structured = h(
    "div",
    { class: "tile-structured" },
    tests.element,
    h("div", { class: "grid" }, groups.element, aggregates.element),
    field("Row limit", limit),
  );

  const predefinedSelect = select(
    "tile-predefined",
    queries.map((query) => ({ value: query.name, label: query.title })),
    queries[0]?.name ?? "",
  );
  const parameterBox = h("div", { class: "grid-fields tile-parameters" });
  let parameterValues: () => Record<string, string> = () => ({});
  const renderParameters = () => {
    const query = queries.find((candidate) => candidate.name === predefinedSelect.value);
    const inputs = formFields(query?.parameters ?? [], new URLSearchParams()).map((spec) => {
      const input = h("input", {
        type: spec.input,
        id: `tile-param-${spec.name}`,
        value: spec.value,
        step: spec.step,
        min: spec.min,
        max: spec.max,
      });
      input.dataset.param = spec.name;
      return { spec, input };
    });
    parameterBox.replaceChildren(...inputs.map(({ spec, input }) => field(spec.label, input, spec.hint)));
    parameterValues = () => Object.fromEntries(inputs.map(({ spec, input }) => [spec.name, input.value]));
  };
  predefinedSelect.addEventListener("change", renderParameters);
  renderParameters();
  const predefined = h(
    "div",
    { class: "tile-predefined", hidden: true },
    queries.length === 0
      ? h("p", { class: "status" }, "No predefined queries are installed.")
      : field("Predefined query", predefinedSelect),
    parameterBox,
  );
  const sourceChanged = () => {
    structured.hidden = !structuredRadio.checked;
    predefined.hidden = structuredRadio.checked;
  };
  structuredRadio.addEventListener("change", sourceChanged);
  predefinedRadio.addEventListener("change", sourceChanged);

  const chart = select("tile-chart", CHART_OPTIONS, "bar");
  const measure = h("input", { type: "text", id: "tile-measure", placeholder: "e.g. count, avg_value_canonical" });
  const width = select("tile-width", WIDTH_OPTIONS, "1");
  const status = h("div", { class: "add-status", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary", "data-action": "add-tile" }, "Add tile");
  // Enter in the tile's title adds the tile, it does not save the dashboard
  title.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      button.click();
    }
  });
  button.addEventListener("click", () => {
    const text = title.value.trim();
    if (text === "") {
      status.replaceChildren(errorMessage("The tile needs a title."));
      return;
    }
    const base = {
      title: text,
      chart: { type: chart.value as ChartType, ...(measure.value.trim() ? { measure: measure.value.trim() } : {}) },
      width: Number(width.value) as 1 | 2,
    };
    let tile: Omit<DashboardTile, "id">;
    if (structuredRadio.checked) {
      const groupBy = groups.values() as GroupKey[];
      const chosen = aggregates.values() as AggregateKey[];
      if (chosen.length === 0) {
        status.replaceChildren(errorMessage("Choose at least one aggregate."));
        return;
      }
      const rows = Number(limit.value);
      const year = new Date().getUTCFullYear();
      const query = toStructuredQuery(
        { ...DEFAULT_STATE, tests: tests.values(), groupBy, aggregates: chosen, limit: Number.isInteger(rows) && rows >= 1 ? rows : 1000 },
        [year, year],
      );
      tile = { ...base, query };
    } else {
      const query = queries.find((candidate) => candidate.name === predefinedSelect.value);
      if (!query) {
        status.replaceChildren(errorMessage("Choose a predefined query."));
        return;
      }
      const parameters = formParameters(query.parameters, parameterValues());
      if ("error" in parameters) {
        status.replaceChildren(errorMessage(parameters.error));
        return;
      }
      tile = { ...base, predefined: { name: query.name, parameters: parameters.parameters } };
    }
    const problem = add(tile);
    if (problem !== null) {
      status.replaceChildren(errorMessage(problem));
      return;
    }
    status.replaceChildren(h("p", { class: "status" }, `Added '${text}'. Save the dashboard to keep it.`));
    title.value = "";
    measure.value = "";
  });
  return h(
    "fieldset",
    { class: "card tile-adder" },
    h("legend", {}, "Add a tile"),
    field("Tile title", title),
    h(
      "fieldset",
      { class: "checks" },
      h("legend", {}, "Query"),
      h("label", { class: "check", for: structuredRadio.id }, structuredRadio, " Built here (like the query builder)"),
      h("label", { class: "check", for: predefinedRadio.id }, predefinedRadio, " A predefined query"),
    ),
    structured,
    predefined,
    h(
      "div",
      { class: "grid-fields" },
      field("Chart", chart),
      field("Measure (optional)", measure, "The result column to draw; empty: as the query page chooses."),
      field("Width", width),
    ),
    h("div", { class: "buttons" }, button),
    status,
  );
}
