import { describe, expect, it } from "vitest";
import { parseRoute, routeHash } from "./router";

describe("parseRoute", () => {
  it("maps hashes to pages", () => {
    expect(parseRoute("").page).toBe("catalog");
    expect(parseRoute("#/login").page).toBe("login");
    expect(parseRoute("#/catalog/lab_results")).toMatchObject({ page: "catalog", argument: "lab_results" });
    expect(parseRoute("#/catalog/a%2Fb/")).toMatchObject({ page: "catalog", argument: "a/b" });
    expect(parseRoute("#/runs/run-1")).toMatchObject({ page: "runs", argument: "run-1" });
    expect(parseRoute("#/admin/audit").argument).toBe("audit");
  });

  it("keeps the query string as parameters", () => {
    const route = parseRoute("#/query?h=H001,H002&g=month");
    expect(route.page).toBe("query");
    expect(route.params.get("h")).toBe("H001,H002");
    expect(route.params.get("g")).toBe("month");
  });

  it("sends unknown or malformed hashes to not-found", () => {
    expect(parseRoute("#/nowhere").page).toBe("not-found");
    expect(parseRoute("#/catalog/a/b").page).toBe("not-found");
    expect(parseRoute("#/login/x").page).toBe("not-found");
    expect(parseRoute("#/catalog/%E0%A4%A").page).toBe("not-found");
  });

  it("round-trips through routeHash", () => {
    const params = new URLSearchParams({ h: "H001", from: "2024-01-01" });
    const hash = routeHash("predefined", "test summary", params);
    expect(hash).toBe("#/predefined/test%20summary?h=H001&from=2024-01-01");
    const route = parseRoute(hash);
    expect(route).toMatchObject({ page: "predefined", argument: "test summary" });
    expect(route.params.get("from")).toBe("2024-01-01");
    expect(routeHash("sql")).toBe("#/sql");
  });
});
