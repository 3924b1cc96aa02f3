// Loads the Terraform module in ../aws with HashiCorp's HCL parser (@cdktf/hcl2json, the parser
// of terraform itself compiled to WebAssembly) and merges its files into one object per block kind.
import { parse } from "@cdktf/hcl2json";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const MODULE_DIR = fileURLToPath(new URL("../aws/", import.meta.url));
export const REPOSITORY_DIR = fileURLToPath(new URL("../../../", import.meta.url));

/** Parses HCL text; a syntax error rejects with the file, line and column. */
export async function parseHcl(name, text) {
  return parse(name, text);
}

/**
 * The module in `dir`: `files` (name -> parsed JSON) and the merged blocks: `resource[type][name]`,
 * `data[type][name]`, `variable[name]`, `output[name]` (each one block body), `locals` (one object).
 */
export async function loadModule(dir = MODULE_DIR) {
  const names = readdirSync(dir).filter((name) => name.endsWith(".tf")).sort();
  const files = {};
  for (const name of names) {
    files[name] = await parseHcl(name, readFileSync(join(dir, name), "utf8"));
  }
  return { files, ...merge(files) };
}

/** As loadModule, for HCL given as text (the tests' deliberately broken modules). */
export async function moduleOf(text) {
  const files = { "main.tf": await parseHcl("main.tf", text) };
  return { files, ...merge(files) };
}

function merge(files) {
  const module = { resource: {}, data: {}, variable: {}, output: {}, locals: {}, terraform: [], provider: {} };
  for (const [file, parsed] of Object.entries(files)) {
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries(parsed[kind] ?? {})) {
        module[kind][type] ??= {};
        for (const [name, bodies] of Object.entries(byName)) {
          if (module[kind][type][name]) {
            throw new Error(`${file}: ${kind} ${type}.${name} is declared twice`);
          }
          module[kind][type][name] = bodies[0];
        }
      }
    }
    for (const kind of ["variable", "output"]) {
      for (const [name, bodies] of Object.entries(parsed[kind] ?? {})) {
        module[kind][name] = { ...bodies[0], file };
      }
    }
    for (const block of parsed.locals ?? []) {
      Object.assign(module.locals, block);
    }
    module.terraform.push(...(parsed.terraform ?? []));
    Object.assign(module.provider, parsed.provider ?? {});
  }
  return module;
}

/** Every resource as [type, name, body]. */
export function resources(module) {
  return Object.entries(module.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => [type, name, body]),
  );
}

/** The expression inside "${...}" when the whole string is one interpolation, else null. */
export function expression(value) {
  const match = typeof value === "string" ? /^\$\{([\s\S]*)\}$/.exec(value) : null;
  return match && !match[1].includes("${") ? match[1].trim() : null;
}

/** Blocks are lists in the parsed JSON, attributes are not: the first of a block, or the value. */
export function first(value) {
  return Array.isArray(value) ? value[0] : value;
}
