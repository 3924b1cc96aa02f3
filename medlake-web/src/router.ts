/** A parsed hash route: #/login, #/catalog, #/catalog/{table}. */
export type Route = { page: "login" } | { page: "catalog"; table?: string } | { page: "not-found"; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "").replace(/\/+$/, "");
  const parts = path === "" ? [] : path.split("/");
  if (parts.length === 0) {
    return { page: "catalog" };
  }
  if (parts[0] === "login" && parts.length === 1) {
    return { page: "login" };
  }
  if (parts[0] === "catalog" && parts.length <= 2) {
    if (parts.length === 2 && parts[1] !== "") {
      try {
        return { page: "catalog", table: decodeURIComponent(parts[1]!) };
      } catch {
        return { page: "not-found", hash };
      }
    }
    return { page: "catalog" };
  }
  return { page: "not-found", hash };
}
