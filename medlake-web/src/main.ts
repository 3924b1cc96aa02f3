import "./style.css";
import { ApiClient, ApiError } from "./api";
import { errorMessage, h, loading } from "./dom";
import { catalogPage } from "./pages/catalog";
import { loginPage } from "./pages/login";
import { parseRoute } from "./router";
import type { Me } from "./types";

const api = new ApiClient();
let me: Me | null = null;

// The session cookie is HttpOnly, so the page cannot see it: a flag in sessionStorage remembers
// that this tab logged in, so a first visit goes straight to the login page instead of asking the
// server (and logging a 401 in the console).
const SESSION_FLAG = "medlake.logged-in";


const root = document.getElementById("medlake-app")!;
const header = h("header", { class: "top" });
const main = h("main", { id: "main", tabindex: "-1" });
root.replaceChildren(header, main);

// the skip link must not change the hash: the hash is the route
document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

function renderHeader(): void {
  const brand = h("a", { class: "brand", href: me ? "#/catalog" : "#/login" }, "medlake");
  if (!me) {
    header.replaceChildren(brand);
    return;
  }
  const logout = h("button", { type: "button", class: "link" }, "Log out");
  logout.addEventListener("click", async () => {
    try {
      await api.logout();
    } catch {
      // an expired session or a reloaded page (no CSRF token): the session is gone for the user anyway
    }
    me = null;
    sessionStorage.removeItem(SESSION_FLAG);
    location.hash = "#/login";
  });
  header.replaceChildren(
    brand,
    h(
      "nav",
      { "aria-label": "Main" },
      h("a", { href: "#/catalog" }, "Catalogue"),
      h("span", { class: "user" }, `${me.name} (${me.role}${me.hospital_id ? ", " + me.hospital_id : ""})`),
      logout,
    ),
  );
}

async function currentUser(): Promise<Me | null> {
  if (me) {
    return me;
  }
  if (sessionStorage.getItem(SESSION_FLAG) === null) {
    return null;
  }
  try {
    me = await api.me();
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(SESSION_FLAG);
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
    renderHeader();
    main.replaceChildren(
      loginPage(api, (user) => {
        me = user;
        sessionStorage.setItem(SESSION_FLAG, "1");
        location.hash = "#/catalog";
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
    location.hash = "#/login";
    return;
  }
  renderHeader();
  if (route.page === "not-found") {
    main.replaceChildren(h("section", { class: "page" }, h("h1", {}, "Not found"), h("p", {}, "No page here. ", h("a", { href: "#/catalog" }, "Go to the catalogue"), ".")));
    document.title = "Not found – medlake";
  } else {
    main.replaceChildren(catalogPage(api, route.table));
    document.title = (route.table ? route.table + " – " : "") + "Catalogue – medlake";
  }
  main.focus({ preventScroll: true });
}

window.addEventListener("hashchange", () => void render());
void render();
