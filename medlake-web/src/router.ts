/**
 * A parsed hash route, #/page[/argument][?key=value...]: the query string carries a page's state
 * (the query builder's filters, a predefined query's parameters) so it can be bookmarked and shared.
 */
export type Page = "login" | "catalog" | "query" | "predefined" | "sql" | "runs" | "admin" | "dashboards" | "not-found";

export interface Route {
  page: Page;
  /** The path segment after the page: a table, a predefined query, a run id, an admin tab. */
  argument?: string;
  params: URLSearchParams;
}

const PAGES: ReadonlySet<string> = new Set(["login", "catalog", "query", "predefined", "sql", "runs", "admin", "dashboards"]);

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, "");
  const question = text.indexOf("?");
  const path = (question < 0 ? text : text.slice(0, question)).replace(/^\/+/, "").replace(/\/+$/, "");
  const params = new URLSearchParams(question < 0 ? "" : text.slice(question + 1));
  const parts = path === "" ? [] : path.split("/");
  if (parts.length === 0) {
    return { page: "catalog", params };
  }
  const page = parts[0]!;
  if (!PAGES.has(page) || parts.length > 2 || (page === "login" && parts.length > 1)) {
    return { page: "not-found", params };
  }
  if (parts.length === 2 && parts[1] !== "") {
    try {
      return { page: page as Page, argument: decodeURIComponent(parts[1]!), params };
    } catch {
      return { page: "not-found", params };
    }
  }
  return { page: page as Page, params };
}

/** The hash of a page: routeHash("query", undefined, params) -> "#/query?..." */
export function routeHash(page: Exclude<Page, "not-found">, argument?: string, params?: URLSearchParams): string {
  const query = params && [...params.keys()].length > 0 ? "?" + params.toString() : "";
  return `#/${page}${argument === undefined ? "" : "/" + encodeURIComponent(argument)}${query}`;
}
