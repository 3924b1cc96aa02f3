import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";

describe("parseRoute", () => {
  it("maps hashes to pages", () => {
    expect(parseRoute("")).toEqual({ page: "catalog" });
    expect(parseRoute("#/login")).toEqual({ page: "login" });
    expect(parseRoute("#/catalog")).toEqual({ page: "catalog" });
    expect(parseRoute("#/catalog/")).toEqual({ page: "catalog" });
    expect(parseRoute("#/catalog/lab_results")).toEqual({ page: "catalog", table: "lab_results" });
    expect(parseRoute("#/catalog/a%20b")).toEqual({ page: "catalog", table: "a b" });
    expect(parseRoute("#/nope")).toEqual({ page: "not-found", hash: "#/nope" });
    expect(parseRoute("#/catalog/%E0%A4%A")).toEqual({ page: "not-found", hash: "#/catalog/%E0%A4%A" });
  });
});
