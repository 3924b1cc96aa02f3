// docs/deploy.md, "Terraform (AWS)", lists every variable and output of the module, and nothing
// else, so the documentation cannot fall behind the module.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { REPOSITORY_DIR, loadModule } from "./module.mjs";

let module;
let section;
before(async () => {
  module = await loadModule();
  const deploy = readFileSync(join(REPOSITORY_DIR, "docs", "deploy.md"), "utf8");
  const start = deploy.indexOf("\n## Terraform (AWS)\n");
  assert.ok(start >= 0, "docs/deploy.md has no section '## Terraform (AWS)'");
  const end = deploy.indexOf("\n## ", start + 1);
  section = deploy.slice(start, end < 0 ? undefined : end);
});

/** The names in the first column of the table under `### heading`. */
function tableNames(heading) {
  const start = section.indexOf(`\n### ${heading}\n`);
  assert.ok(start >= 0, `docs/deploy.md, Terraform (AWS), has no '### ${heading}'`);
  const next = section.indexOf("\n### ", start + 1);
  const text = section.slice(start, next < 0 ? undefined : next);
  return [...text.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((match) => match[1]).sort();
}

describe("docs/deploy.md", () => {
  it("documents every variable of the module, and no other", () => {
    assert.deepEqual(tableNames("Variables"), Object.keys(module.variable).sort());
  });

  it("documents every output of the module, and no other", () => {
    assert.deepEqual(tableNames("Outputs"), Object.keys(module.output).sort());
  });

  it("states each variable's default as the module has it", () => {
    const start = section.indexOf("\n### Variables\n");
    for (const [name, variable] of Object.entries(module.variable)) {
      const row = section.slice(start).split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      const shown = row.split(" | ")[2];
      if (variable.default === undefined) {
        assert.equal(shown, "required", `${name} has no default but the table says ${shown}`);
      } else {
        assert.ok(
          shown.includes("`" + JSON.stringify(variable.default).replace(/^"|"$/g, "")) || (variable.default === "" && shown.startsWith('`""`')),
          `${name}: the table says ${shown}, the module ${JSON.stringify(variable.default)}`,
        );
      }
    }
  });
});
