import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ENDPOINTS } from "./api";

const here = dirname(fileURLToPath(import.meta.url));
const OPENAPI = resolve(here, "../../medlake-server/src/main/resources/org/medlake/server/openapi.json");

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
}

const document = JSON.parse(readFileSync(OPENAPI, "utf8")) as OpenApi;

describe("the API client against the OpenAPI document", () => {
  it("reads an OpenAPI 3 document", () => {
    expect(document.openapi).toMatch(/^3\./);
  });

  for (const [name, [method, path]] of Object.entries(ENDPOINTS)) {
    it(`${name}: ${method} ${path} is documented`, () => {
      expect(Object.keys(document.paths), `path ${path}`).toContain(path);
      expect(Object.keys(document.paths[path]!), `${method} ${path}`).toContain(method.toLowerCase());
    });
  }

  it("the Error schema has the fields ApiError reads", () => {
    const error = document.components.schemas["Error"]!;
    expect(error.required).toEqual(expect.arrayContaining(["code", "message", "details"]));
  });

  it("login takes name and password", () => {
    const login = document.paths["/api/v1/login"]!["post"] as {
      requestBody: { content: { "application/json": { schema: { $ref: string } } } };
    };
    const schema = login.requestBody.content["application/json"].schema.$ref.replace("#/components/schemas/", "");
    expect(document.components.schemas[schema]!.required).toEqual(expect.arrayContaining(["name", "password"]));
  });
});
