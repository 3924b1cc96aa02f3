import "./style.css";
import { ApiClient, ApiError, SharedSession } from "./api";
import { errorMessage, h, loading } from "./dom";
import { adminPage } from "./pages/admin";
import { catalogPage } from "./pages/catalog";
import { dashboardsPage } from "./pages/dashboards";
import { loginPage } from "./pages/login";
import { predefinedPage } from "./pages/predefined";
import { queryPage } from "./pages/query";
import { runsPage } from "./pages/runs";
import { sqlPage } from "./pages/sql";
import { parseRoute, type Page } from "./router";
import type { Me, Role } from "./types";

// The session cookie is HttpOnly, so the page cannot see it. The CSRF token of the login is kept
// where every tab of this browser finds it (SharedSession, localStorage), as the cookie is shared by
// them: a new tab or a shared link opens logged in. Without a token a first visit goes straight to
// the login page instead of asking the server (a 401 in the console).
const session = new SharedSession(localStorage);
const api = new ApiClient(undefined, "", session.token());
let me: Me | null = null;

/** The pages each role sees in the navigation; the server enforces the same rules. */
const NAVIGATION: { page: Page; label: string; roles: Role[] }[] = [
  { page: "catalog", label: "Catalogue", roles: ["admin", "analyst", "viewer"] },
  { page: "query", label: "Query builder", roles: ["admin", "analyst", "viewer"] },
  { page: "predefined", label: "Predefined", roles: ["admin", "analyst", "viewer"] },
  { page: "dashboards", label: "Dashboards", roles: ["admin", "analyst", "viewer"] },
  { page: "sql", label: "SQL", roles: ["admin", "analyst"] },
  { page: "runs", label: "Ingestion", roles: ["admin", "uploader"] },
  { page: "admin", label: "Admin", roles: ["admin"] },
];

function home(user: Me): string {
  return user.role === "uploader" ? "#/runs" : "#/catalog";
}

const root = document.getElementById("medlake-app")!;
const header = h("header", { class: "top" });
const main = h("main", { id: "main", tabindex: "-1" });
root.replaceChildren(header, main);

// the skip link must not change the hash: the hash is the route
document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

function renderHeader(current: Page): void {
  const brand = h("a", { class: "brand", href: me ? home(me) : "#/login" }, "medlake");
  if (!me) {
    header.replaceChildren(brand);
    return;
  }
  const user = me;
  const logout = h("button", { type: "button", class: "link" }, "Log out");
  logout.addEventListener("click", async () => {
    try {
      await api.logout();
    } catch {
      // an expired session: it is gone for the user anyway
    }
    me = null;
    session.clear();
    location.hash = "#/login";
  });
  const links = NAVIGATION.filter((item) => item.roles.includes(user.role)).map((item) =>
    h("a", { href: "#/" + item.page, "aria-current": item.page === current ? "page" : undefined }, item.label),
  );
  header.replaceChildren(
    brand,
    h("nav", { "aria-label": "Main" }, ...links),
    h(
      "div",
      { class: "account" },
      h("span", { class: "user" }, `${user.name} (${user.role}${user.hospital_id ? ", " + user.hospital_id : ""})`),
      logout,
    ),
  );
}

async function currentUser(): Promise<Me | null> {
  if (me) {
    return me;
  }
  if (!api.hasCsrfToken()) {
    return null;
  }
  try {
    me = await api.me();
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.clear();
      api.useCsrf(null);
      return null;
    }
    throw error;
  }
}

let generation = 0;

async function render(): Promise<void> {
  const mine = ++generation;
  const route = parseRoute(location.hash);
  if (route.page === "login") {
    me = null;
    renderHeader("login");
    const next = route.params.get("next");
    main.replaceChildren(
      loginPage(api, (user) => {
        me = user;
        session.save(api.csrf());
        location.hash = next && next.startsWith("#/") && !next.startsWith("#/login") ? next : home(user);
      }),
    );
    document.title = "Log in – medlake";
    return;
  }
  main.replaceChildren(loading());
  let user: Me | null;
  try {
    user = await currentUser();
  } catch (error) {
    if (mine === generation) {
      main.replaceChildren(errorMessage(error instanceof Error ? error.message : String(error)));
    }
    return;
  }
  if (mine !== generation) {
    return;
  }
  if (!user) {
    location.hash = "#/login" + (location.hash && location.hash !== "#/" ? "?next=" + encodeURIComponent(location.hash) : "");
    return;
  }
  if (location.hash === "" || location.hash === "#/") {
    history.replaceState(null, "", home(user));
  }
  renderHeader(route.page);
  switch (route.page) {
    case "catalog":
      if (user.role === "uploader") {
        main.replaceChildren(
          h(
            "section",
            { class: "page" },
            h("h1", {}, "Catalogue"),
            h(
              "p",
              { class: "status error", role: "alert" },
              "The catalogue is for admins, analysts and viewers; uploaders see their ingestion runs.",
            ),
            h("a", { href: "#/runs" }, "Go to your runs"),
          ),
        );
        break;
      }
      main.replaceChildren(catalogPage(api, route.argument));
      document.title = (route.argument ? route.argument + " – " : "") + "Catalogue – medlake";
      break;
    case "query":
      main.replaceChildren(queryPage(api, route.params, user.role));
      break;
    case "predefined":
      main.replaceChildren(predefinedPage(api, route.argument, route.params));
      break;
    case "dashboards":
      main.replaceChildren(dashboardsPage(api, user, route.argument, route.params));
      break;
    case "sql":
      main.replaceChildren(sqlPage(api, user));
      break;
    case "runs":
      main.replaceChildren(runsPage(api, user, route.argument, route.params));
      break;
    case "admin":
      main.replaceChildren(adminPage(api, user, route.argument, route.params));
      break;
    case "not-found":
      main.replaceChildren(
        h(
          "section",
          { class: "page" },
          h("h1", {}, "Not found"),
          h("p", {}, "No page here. ", h("a", { href: home(user) }, "Go to the start page"), "."),
        ),
      );
      document.title = "Not found – medlake";
      break;
  }
  main.focus({ preventScroll: true });
}

window.addEventListener("hashchange", () => void render());
// a login or logout in another tab: this tab follows (the cookie it sends changed with it)
session.onChange(window, (token) => {
  api.useCsrf(token);
  me = null;
  if (token === null) {
    if (!location.hash.startsWith("#/login")) {
      location.hash = "#/login" + (location.hash && location.hash !== "#/" ? "?next=" + encodeURIComponent(location.hash) : "");
    }
  } else if (location.hash.startsWith("#/login")) {
    const next = new URLSearchParams(location.hash.split("?")[1] ?? "").get("next");
    location.hash = next && next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/";
  } else {
    void render();
  }
});
void render();
