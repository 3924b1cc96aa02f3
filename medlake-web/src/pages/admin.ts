import type { ApiClient } from "../api";
import { errorMessage, h, loading } from "../dom";
import { formatCount } from "../format";
import { paged } from "../paging";
import { ROLE_ABILITIES, ROLES } from "../roles";
import { routeHash } from "../router";
import type { ApiToken, AuditEvent, Me, Role, User } from "../types";
import { dataTable, field, handleUnauthenticated, message, pageTitle, section } from "../ui";

const TABS = { users: "Users", tokens: "API tokens", audit: "Audit log" } as const;
type Tab = keyof typeof TABS;

function time(text: string | null): string {
  return text ? text.replace("T", " ").slice(0, 19) : "";
}

/** Runs an admin action from a button, then reloads; errors go to {@code status}. */
function action(button: HTMLButtonElement, status: HTMLElement, act: () => Promise<unknown>, done: () => void): void {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await act();
      done();
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
      button.disabled = false;
    }
  });
}

function usersTab(api: ApiClient, me: Me): HTMLElement {
  const list = h("div", { class: "card" });
  const status = h("div", { "aria-live": "polite" });
  const reload = () =>
    void section(
      list,
      () => api.users(),
      (users: User[]) =>
        dataTable(
          "Users",
          ["Name", "Role", "Hospital", "Enabled", "Created", ""],
          users.map((user) => {
            const disable = h("button", { type: "button", class: "secondary small", "aria-label": `Disable ${user.name}` }, "Disable");
            action(disable, status, () => api.disableUser(user.name), reload);
            return [
              user.name,
              user.role.toLowerCase(),
              user.hospitalId ?? "",
              user.enabled ? "yes" : "no",
              time(user.createdAt),
              user.enabled && user.name !== me.name ? disable : "",
            ];
          }),
        ),
    );
  const name = h("input", { type: "text", required: true, autocomplete: "off" });
  const role = h("select", {}, ...(["viewer", "analyst", "uploader", "admin"] as Role[]).map((key) => h("option", { value: key }, key)));
  // the chosen role's abilities under the picker, as the roles table says them
  const roleField = field("Role", role, ROLE_ABILITIES.viewer);
  const roleHint = roleField.querySelector(".hint");
  role.addEventListener("change", () => {
    if (roleHint) {
      roleHint.textContent = ROLE_ABILITIES[role.value as Role];
    }
  });
  const hospital = h("input", { type: "text", placeholder: "for uploaders" });
  const password = h("input", { type: "password", required: true, autocomplete: "new-password" });
  const add = h("button", { type: "submit" }, "Add user");
  const form = h(
    "form",
    { class: "inline-form", novalidate: true, "aria-label": "Add a user" },
    field("Name", name),
    roleField,
    field("Hospital", hospital),
    field("Password", password, "At least 12 characters"),
    add,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    add.disabled = true;
    status.replaceChildren(loading("Adding…"));
    try {
      const user = await api.addUser({
        name: name.value.trim(),
        role: role.value as Role,
        password: password.value,
        ...(hospital.value.trim() ? { hospital_id: hospital.value.trim() } : {}),
      });
      status.replaceChildren(h("p", { class: "status success", role: "status" }, `Added ${user.name}.`));
      form.reset();
      role.dispatchEvent(new Event("change"));
      reload();
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
    } finally {
      password.value = "";
      add.disabled = false;
    }
  });
  reload();
  return h("div", {}, h("div", { class: "card" }, h("h2", {}, "Add a user"), form, status), rolesCard(), list);
}

/** What each role may do: the table of docs/security.md. */
function rolesCard(): HTMLElement {
  return h(
    "div",
    { class: "card roles" },
    h("h2", {}, "Roles"),
    dataTable(
      "What each role may do",
      ["Role", "May"],
      ROLES.map((key) => [h("strong", {}, key), ROLE_ABILITIES[key]]),
    ),
  );
}

/** A picker of the enabled users, loaded from the API, to issue a token for. */
function userPicker(api: ApiClient, status: HTMLElement): HTMLSelectElement {
  const picker = h("select", { required: true, disabled: true }, h("option", { value: "" }, "Loading users…"));
  void api
    .users()
    .then((users: User[]) => {
      const enabled = users.filter((user) => user.enabled).sort((a, b) => a.name.localeCompare(b.name));
      picker.replaceChildren(
        h("option", { value: "" }, enabled.length === 0 ? "No enabled user" : "Choose a user"),
        ...enabled.map((user) =>
          h(
            "option",
            { value: user.name },
            user.name + " (" + user.role.toLowerCase() + (user.hospitalId ? ", " + user.hospitalId : "") + ")",
          ),
        ),
      );
      picker.disabled = enabled.length === 0;
    })
    .catch((error: unknown) => {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
    });
  return picker;
}

function tokensTab(api: ApiClient): HTMLElement {
  const list = h("div", { class: "card" });
  const status = h("div", { "aria-live": "polite" });
  const reload = () =>
    void section(
      list,
      () => api.tokens(),
      (tokens: ApiToken[]) =>
        tokens.length === 0
          ? h("p", { class: "status" }, "No API tokens.")
          : dataTable(
              "API tokens",
              ["Id", "User", "Description", "Created", "Expires", "Revoked", ""],
              tokens.map((token) => {
                const revoke = h(
                  "button",
                  { type: "button", class: "secondary small", "aria-label": `Revoke token ${token.id}` },
                  "Revoke",
                );
                action(revoke, status, () => api.revokeToken(token.id), reload);
                return [
                  h("code", {}, token.id),
                  token.user,
                  token.description,
                  time(token.createdAt),
                  time(token.expiresAt),
                  time(token.revokedAt),
                  token.revokedAt ? "" : revoke,
                ];
              }),
            ),
    );
  const user = userPicker(api, status);
  const description = h("input", { type: "text" });
  const days = h("input", { type: "number", min: "1", max: "3650", value: "90" });
  const create = h("button", { type: "submit" }, "Create token");
  const form = h(
    "form",
    { class: "inline-form", novalidate: true, "aria-label": "Create an API token" },
    field("User", user),
    field("Description", description),
    field("Valid for days", days),
    create,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (user.value === "") {
      status.replaceChildren(errorMessage("Choose the user the token is for."));
      user.focus();
      return;
    }
    create.disabled = true;
    try {
      const issued = await api.createToken(user.value, description.value.trim(), Number(days.value) || 90);
      status.replaceChildren(
        h(
          "div",
          { class: "status success", role: "status" },
          h("p", {}, `Token ${issued.token.id} for ${issued.token.user}. Copy the secret now; it is not shown again:`),
          h("code", { class: "secret" }, issued.secret),
        ),
      );
      reload();
    } catch (error) {
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
    } finally {
      create.disabled = false;
    }
  });
  reload();
  return h("div", {}, h("div", { class: "card" }, h("h2", {}, "Create a token"), form, status), list);
}

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined. */
function instant(value: string): string | undefined {
  if (value === "") {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** How many audit events a page of the list shows. */
const AUDIT_PER_PAGE = 25;

/** How many characters of an event's details show before the rest is collapsed. */
const AUDIT_DETAILS_SHOWN = 60;

/** An event's details as key=value pairs; long ones collapsed to their start, so a row stays one line. */
function auditDetails(event: AuditEvent): HTMLElement {
  const text = Object.entries(event.details)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
  if (text.length <= AUDIT_DETAILS_SHOWN) {
    return h("code", { class: "details" }, text);
  }
  return h(
    "details",
    { class: "audit-details" },
    h("summary", {}, h("code", { class: "details" }, text.slice(0, AUDIT_DETAILS_SHOWN) + "…")),
    h("code", { class: "details" }, text),
  );
}

function auditTab(api: ApiClient, params: URLSearchParams): HTMLElement {
  const actor = h("input", { type: "text", value: params.get("actor") ?? "", autocomplete: "off" });
  const actionSelect = h(
    "select",
    {},
    ...["", "login", "login_failed", "logout", "query", "sql", "export", "upload", "admin", "dashboard"].map((key) =>
      h("option", { value: key, selected: key === (params.get("action") ?? "") }, key || "any"),
    ),
  );
  const outcome = h(
    "select",
    {},
    ...["", "ok", "refused", "failed"].map((key) =>
      h("option", { value: key, selected: key === (params.get("outcome") ?? "") }, key || "any"),
    ),
  );
  const from = h("input", { type: "datetime-local", value: params.get("from") ?? "" });
  const to = h("input", { type: "datetime-local", value: params.get("to") ?? "" });
  const limit = h("input", { type: "number", min: "1", max: "1000", value: params.get("limit") ?? "100" });
  const apply = h("button", { type: "submit" }, "Show");
  const list = h("div", { class: "card" });
  const form = h(
    "form",
    { class: "inline-form", novalidate: true, "aria-label": "Audit filters" },
    field("Actor", actor),
    field("Action", actionSelect),
    field("Outcome", outcome),
    field("From", from),
    field("To", to),
    field("At most", limit),
    apply,
  );
  const load = () => {
    const filters = {
      actor: actor.value.trim() || undefined,
      action: actionSelect.value || undefined,
      outcome: outcome.value || undefined,
      from: instant(from.value),
      to: instant(to.value),
      limit: Number(limit.value) || 100,
    };
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries({
      actor: filters.actor,
      action: filters.action,
      outcome: filters.outcome,
      from: from.value,
      to: to.value,
      limit: limit.value,
    })) {
      if (value) {
        search.set(key, value);
      }
    }
    history.replaceState(null, "", routeHash("admin", "audit", search));
    void section(
      list,
      () => api.audit(filters),
      (events: AuditEvent[]) =>
        events.length === 0
          ? h("p", { class: "status" }, "No events match.")
          : paged(events, AUDIT_PER_PAGE, "Pages of the audit events", (page) =>
              dataTable(
                `Audit events, newest first (${formatCount(events.length)})`,
                ["Time (UTC)", "Actor", "Role", "Client", "Action", "Target", "Outcome", "Details"],
                page.map((event) => [
                  time(event.at),
                  event.actor ?? "",
                  (event.role ?? "").toLowerCase(),
                  event.clientIp,
                  event.action.toLowerCase(),
                  event.target ?? "",
                  h("span", { class: "badge badge-" + event.outcome.toLowerCase() }, event.outcome.toLowerCase()),
                  auditDetails(event),
                ]),
              ),
            ),
    );
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
  return h("div", {}, h("div", { class: "card" }, form), list);
}

/** Admin: users, API tokens and the audit log, one tab each. */
export function adminPage(api: ApiClient, me: Me, tab: string | undefined, params: URLSearchParams): HTMLElement {
  const title = pageTitle("Admin");
  if (me.role !== "admin") {
    return h(
      "section",
      { class: "page" },
      title,
      h("p", { class: "status error", role: "alert" }, `Administration is for admins; you are ${me.role}.`),
    );
  }
  const current: Tab = tab && Object.hasOwn(TABS, tab) ? (tab as Tab) : "users";
  const nav = h(
    "nav",
    { class: "tabs", "aria-label": "Admin sections" },
    ...Object.entries(TABS).map(([key, label]) =>
      h("a", { href: routeHash("admin", key), "aria-current": key === current ? "page" : undefined }, label),
    ),
  );
  const body = current === "users" ? usersTab(api, me) : current === "tokens" ? tokensTab(api) : auditTab(api, params);
  document.title = TABS[current] + " – Admin – medlake";
  return h("section", { class: "page page-admin" }, title, nav, body);
}
