import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROLE_ABILITIES, ROLES } from "./roles";

describe("roles", () => {
  it("explains every role of the API contract, and only those", () => {
    const document = JSON.parse(
      readFileSync(new URL("../../medlake-server/src/main/resources/org/medlake/server/openapi.json", import.meta.url), "utf8"),
    );
    const contract: string[] = document.components.schemas.Role.enum;
    expect([...ROLES].sort()).toEqual([...contract].sort());
    expect(Object.keys(ROLE_ABILITIES).sort()).toEqual([...contract].sort());
  });

  it("says the same as the table in docs/security.md", () => {
    const security = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8");
    for (const role of ROLES) {
      expect(security).toContain(`| \`${role}\` | ${ROLE_ABILITIES[role]} |`);
    }
  });
});
