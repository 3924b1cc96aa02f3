import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REJECT_REASONS, rejectReasonHelp } from "./rejectreasons";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The rows of the "What a reason means and how to fix it" table of docs/sources.md. */
function documentedReasons(): Record<string, { field: string; explanation: string; fix: string }> {
  const text = readFileSync(ROOT + "docs/sources.md", "utf8");
  const start = text.indexOf("### What a reason means and how to fix it");
  expect(start).toBeGreaterThan(0);
  const rows: Record<string, { field: string; explanation: string; fix: string }> = {};
  for (const line of text.slice(start).split("\n").slice(1)) {
    if (line.startsWith("---") || line.startsWith("#")) {
      break;
    }
    const cells = /^\| `([A-Z_]+)` \| (.*) \| (.*) \| (.*) \|$/.exec(line);
    if (cells) {
      const field = cells[2] === "the whole row" ? "" : cells[2]!.replace(/^`|`$/g, "");
      rows[cells[1]!] = { field, explanation: cells[3]!, fix: cells[4]! };
    }
  }
  return rows;
}

describe("reject reasons", () => {
  it("are explained in docs/sources.md exactly as on the run page", () => {
    expect(documentedReasons()).toEqual(REJECT_REASONS);
  });

  it("cover every code of RejectReason.java", () => {
    const java = readFileSync(ROOT + "medlake-core/src/main/java/org/medlake/core/contract/RejectReason.java", "utf8");
    const codes = [...java.matchAll(/^ {2}([A-Z_]+)\(/gm)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(20);
    expect(Object.keys(REJECT_REASONS).sort()).toEqual([...codes].sort());
  });

  it("give an unknown code a pointer to the docs rather than nothing", () => {
    expect(rejectReasonHelp("SOMETHING_NEW").fix).toContain("docs/sources.md");
  });
});
