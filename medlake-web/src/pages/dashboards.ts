import type { ApiClient } from "../api";
import { filtersFromParams, filtersToParams, mayEdit, sameFilters, sharingText, snapshotState } from "../dashboard";
import { filterForm, filtersText } from "../dashfilters";
import { errorMessage, h, loading } from "../dom";
import { loadVocabulary, type Vocabulary } from "../pickers";
import { routeHash } from "../router";
import { tileSource, tileView, type TileView } from "../tileview";
import type { Dashboard, DashboardFilters, DashboardSummary, Me } from "../types";
import { dataTable, handleUnauthenticated, message, pageTitle, section } from "../ui";
import { dashboardEditor } from "./dashboardedit";

/** How often an open dashboard asks whether a table has a new snapshot (its tiles rerun only then). */
export const REFRESH_SECONDS = 60;

/** A saved-at timestamp as "2026-01-31 12:00:00" (UTC, as the other pages show times). */
function formatDateTime(text: string): string {
  return text.replace("T", " ").slice(0, 19);
}

function mayCreate(user: Me): boolean {
  return user.role === "admin" || user.role === "analyst";
}

/** #/dashboards, #/dashboards/new, #/dashboards/{id}[?mode=edit|history][&f=1&h=...] */
export function dashboardsPage(api: ApiClient, user: Me, argument: string | undefined, params: URLSearchParams): HTMLElement {
  if (argument === undefined) {
    return listPage(api, user);
  }
  const page = h("section", { class: "page page-dashboard" }, pageTitle(argument === "new" ? "New dashboard" : "Dashboard"));
  const body = h("div", {}, loading("Loading the dashboard…"));
  page.append(body);
  const id = Number(argument);
  if (argument !== "new" && !(Number.isSafeInteger(id) && id > 0)) {
    body.replaceChildren(errorMessage(`No dashboard '${argument}': a dashboard's address is #/dashboards/ and its number.`));
    return page;
  }
  const mode = params.get("mode");
  const failed = (error: unknown) => {
    if (!handleUnauthenticated(error)) {
      body.replaceChildren(errorMessage(message(error)));
    }
  };
  if (argument === "new" || mode === "edit") {
    if (!mayCreate(user)) {
      body.replaceChildren(errorMessage("Viewers open dashboards; admins and analysts build them."));
      return page;
    }
    void Promise.all([loadVocabulary(api), api.queries(), argument === "new" ? Promise.resolve(null) : api.dashboard(id)])
      .then(([vocabulary, queries, dashboard]) => {
        if (dashboard && !mayEdit(dashboard, user)) {
          body.replaceChildren(errorMessage(`Only ${dashboard.owner} (the owner) and admins may edit '${dashboard.name}'.`));
          return;
        }
        page.querySelector("h1")!.textContent = dashboard ? `Edit ${dashboard.name}` : "New dashboard";
        document.title = (dashboard ? `Edit ${dashboard.name}` : "New dashboard") + " – medlake";
        body.replaceChildren(
          dashboardEditor(
            api,
            user,
            vocabulary,
            queries,
            dashboard,
            (saved) => (location.hash = routeHash("dashboards", String(saved.id))),
          ),
        );
      })
      .catch(failed);
    return page;
  }
  if (mode === "history") {
    void api
      .dashboard(id)
      .then((dashboard) => {
        page.querySelector("h1")!.textContent = `History of ${dashboard.name}`;
        document.title = `History of ${dashboard.name} – medlake`;
        body.replaceChildren(historyView(api, user, dashboard));
      })
      .catch(failed);
    return page;
  }
  void Promise.all([api.dashboard(id), loadVocabulary(api)])
    .then(([dashboard, vocabulary]) => {
      page.querySelector("h1")!.textContent = dashboard.name;
      document.title = dashboard.name + " – medlake";
      body.replaceChildren(dashboardView(api, user, dashboard, vocabulary, filtersFromParams(params)));
    })
    .catch(failed);
  return page;
}

function listPage(api: ApiClient, user: Me): HTMLElement {
  const list = h("div", {});
  const actions = mayCreate(user)
    ? h("p", { class: "buttons" }, h("a", { class: "button", href: routeHash("dashboards", "new") }, "New dashboard"))
    : h("p", { class: "hint" }, "Dashboards shared with your role are listed here; admins and analysts build them.");
  void section(
    list,
    () => api.dashboards(),
    (dashboards: DashboardSummary[]) =>
      dashboards.length === 0
        ? h("p", { class: "status" }, "No dashboard yet." + (mayCreate(user) ? " Build one with New dashboard." : ""))
        : dataTable(
            "Dashboards you may open",
            ["Name", "Owner", "Sharing", "Tiles", "Version", "Updated"],
            dashboards.map((dashboard) => [
              h("a", { href: routeHash("dashboards", String(dashboard.id)) }, dashboard.name),
              dashboard.owner,
              sharingText(dashboard.sharing),
              String(dashboard.tiles),
              String(dashboard.version),
              formatDateTime(dashboard.updated_at),
            ]),
            [false, false, false, true, true, false],
          ),
  );
  return h("section", { class: "page page-dashboards" }, pageTitle("Dashboards"), actions, list);
}

/**
 * An open dashboard: its filters (the saved ones, or the URL's), its tiles, each run through the
 * server; it checks every {@link REFRESH_SECONDS} (and on "Check for new data") whether a table has a
 * new snapshot, and reruns the tiles only then.
 */
function dashboardView(
  api: ApiClient,
  user: Me,
  dashboard: Dashboard,
  vocabulary: Vocabulary,
  chosen: DashboardFilters | null,
): HTMLElement {
  const current: DashboardFilters = chosen ?? dashboard.filters;
  const differs = chosen !== null && !sameFilters(chosen, dashboard.filters);
  const tiles: TileView[] = dashboard.tiles.map((tile) => tileView(api, dashboard.id, tile));
  const filters = filterForm(vocabulary, current, "dashboard-filter");
  const applied = h("p", { class: "meta filters-applied", "data-testid": "filters-applied" }, "Filters: " + filtersText(current));
  const refreshStatus = h("p", { class: "meta refresh-status", role: "status", "data-testid": "refresh-status" });
  let known: string | null = null;
  const runAll = () => Promise.all(tiles.map((tile) => tile.run(chosen === null ? undefined : chosen)));
  /** Reruns the tiles when a table's snapshot changed since the last look; says what it did. */
  const check = async () => {
    try {
      const state = snapshotState(await api.tables());
      const time = new Date().toLocaleTimeString("en-GB");
      if (known !== null && state !== known) {
        known = state;
        refreshStatus.textContent = `New data at ${time}: the tiles were run again.`;
        await runAll();
      } else {
        known = state;
        refreshStatus.textContent = `Checked for new data at ${time}: none, the tiles stay as they are. Checked again every ${REFRESH_SECONDS} s.`;
      }
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        refreshStatus.textContent = "Could not check for new data: " + message(error);
      }
    }
  };
  const form = h(
    "form",
    { class: "card no-print", "aria-label": "Dashboard filters", novalidate: true },
    h("h2", {}, "Filters for every tile"),
    filters.element,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit" }, "Apply filters"),
      differs || chosen !== null ? resetLink(dashboard) : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = filters.values();
    if (values.from_month && values.to_month && values.from_month > values.to_month) {
      form.append(errorMessage(`The period is reversed: ${values.from_month} is after ${values.to_month}.`));
      return;
    }
    location.hash = routeHash("dashboards", String(dashboard.id), filtersToParams(values));
  });
  const checkNow = h("button", { type: "button", class: "secondary", "data-action": "check" }, "Check for new data");
  checkNow.addEventListener("click", () => void check());
  const print = h("button", { type: "button", class: "secondary" }, "Print or save as PDF");
  print.addEventListener("click", () => window.print());
  const toolbar = h(
    "div",
    { class: "buttons no-print dashboard-actions" },
    mayEdit(dashboard, user)
      ? h("a", { class: "button", href: routeHash("dashboards", String(dashboard.id), new URLSearchParams({ mode: "edit" })) }, "Edit")
      : null,
    h(
      "a",
      { class: "button secondary", href: routeHash("dashboards", String(dashboard.id), new URLSearchParams({ mode: "history" })) },
      "History",
    ),
    checkNow,
    print,
  );
  const grid = h("div", { class: "tiles" }, ...tiles.map((tile) => tile.element));
  const view = h(
    "div",
    { class: "dashboard", "data-dashboard": String(dashboard.id), "data-version": String(dashboard.version) },
    dashboard.description ? h("p", { class: "lead" }, dashboard.description) : null,
    h(
      "p",
      { class: "meta" },
      `Version ${dashboard.version} by ${dashboard.updated_by}, ${formatDateTime(dashboard.updated_at)} · owner ${dashboard.owner} · ${sharingText(dashboard.sharing)}`,
    ),
    toolbar,
    form,
    applied,
    refreshStatus,
    dashboard.tiles.length === 0 ? h("p", { class: "status" }, "This dashboard has no tile yet.") : grid,
  );
  // the snapshots first: data landing while the tiles run is seen by the next check
  void check().then(() => runAll());
  const timer = setInterval(() => {
    if (!view.isConnected) {
      clearInterval(timer);
      tiles.forEach((tile) => tile.dispose());
      return;
    }
    void check();
  }, REFRESH_SECONDS * 1000);
  return view;
}

function resetLink(dashboard: Dashboard): HTMLElement {
  return h("a", { class: "button secondary", href: routeHash("dashboards", String(dashboard.id)) }, "Back to the saved filters");
}

/** The edit history, newest first; the owner and admins restore a version (saved again as the newest). */
function historyView(api: ApiClient, user: Me, dashboard: Dashboard): HTMLElement {
  const list = h("div", {});
  const status = h("div", { "aria-live": "polite" });
  const preview = h("div", { class: "version-preview", "aria-live": "polite" });
  const editable = mayEdit(dashboard, user);
  void section(
    list,
    () => api.dashboardVersions(dashboard.id),
    (versions) =>
      dataTable(
        "Versions, newest first",
        ["Version", "Name", "Saved", "By", "Note", ""],
        versions.map((version) => {
          const show = h("button", { type: "button", class: "secondary", "data-version": String(version.version) }, "Show");
          show.setAttribute("aria-label", `Show version ${version.version}`);
          show.addEventListener("click", () => {
            void section(
              preview,
              () => api.dashboardVersion(dashboard.id, version.version),
              (old) =>
                h(
                  "div",
                  { class: "card" },
                  h("h2", {}, `Version ${old.version}: ${old.name}`),
                  h("p", { class: "meta" }, `${sharingText(old.sharing)} · filters: ${filtersText(old.filters)}`),
                  h("ul", {}, ...old.tiles.map((tile) => h("li", {}, `${tile.title} (${tile.chart.type}) · ${tileSource(tile)}`))),
                ),
            );
          });
          const actions = h("div", { class: "buttons" }, show);
          if (editable && version.version !== dashboard.version) {
            const restore = h("button", { type: "button", "data-restore": String(version.version) }, "Restore");
            restore.setAttribute("aria-label", `Restore version ${version.version}`);
            restore.addEventListener("click", async () => {
              restore.disabled = true;
              try {
                const saved = await api.restoreDashboard(dashboard.id, version.version);
                location.hash = routeHash("dashboards", String(saved.id));
              } catch (error) {
                if (!handleUnauthenticated(error)) {
                  status.replaceChildren(errorMessage(message(error)));
                }
                restore.disabled = false;
              }
            });
            actions.append(restore);
          }
          return [
            String(version.version),
            version.name,
            formatDateTime(version.saved_at),
            version.saved_by,
            version.restored_from
              ? `restored from version ${version.restored_from}`
              : version.version === dashboard.version
                ? "current"
                : "",
            actions,
          ];
        }),
        [true, false, false, false, false, false],
      ),
  );
  return h(
    "div",
    {},
    h(
      "p",
      { class: "buttons" },
      h("a", { class: "button secondary", href: routeHash("dashboards", String(dashboard.id)) }, "Back to the dashboard"),
    ),
    editable ? null : h("p", { class: "hint" }, `Only ${dashboard.owner} (the owner) and admins restore versions.`),
    status,
    list,
    preview,
  );
}
