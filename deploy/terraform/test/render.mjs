// Renders what the module hands medlake — local.medlake_config as medlake.yaml and
// local.server_environment as the server tasks' variables — with example values for what only
// AWS knows (addresses, URLs, the account). Values must be plain references or templates of
// references; a local made with functions needs its own example. `node test/render.mjs` rewrites
// aws/examples/, which the tests compare with this rendering and medlake-cli's
// TestTerraformExample loads into medlake.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MODULE_DIR, loadModule } from "./module.mjs";

const VPC = "10.20.0.0/16";
const ALLOWED = ["203.0.113.0/24", "198.51.100.17/32"];

/** What `terraform apply` would find out, for a deployment named medlake in eu-central-1. */
export const EXAMPLES = {
  "var.region": "eu-central-1",
  "aws_s3_bucket.warehouse.id": "medlake-warehouse-123456789012",
  "aws_s3_bucket.landing.id": "medlake-landing-123456789012",
  "aws_db_instance.medlake.address": "medlake-database.c1a2b3c4d5e6.eu-central-1.rds.amazonaws.com",
  "aws_db_instance.medlake.port": 5432,
  "aws_db_instance.medlake.db_name": "medlake",
  "aws_elasticache_replication_group.medlake.primary_endpoint_address":
    "master.medlake-cache.abc123.euc1.cache.amazonaws.com",
  "aws_sqs_queue.landing_events.url": "https://sqs.eu-central-1.amazonaws.com/123456789012/medlake-landing-events",
  // catalog = "postgresql" (PROFILES has glue), server_storage_gib = 100
  "local.catalog_type": "jdbc",
  "local.catalog_jdbc_url": "${local.database_url}",
  "local.catalog_jdbc_user": "${local.database_user}",
  "local.file_cache_gib": 80,
  "local.server_allow_list": [...ALLOWED, VPC, "127.0.0.1/32"],
  "local.server_allow_list_csv": [...ALLOWED, VPC, "127.0.0.1/32"].join(","),
  "local.trusted_proxies": ["127.0.0.1/32", VPC],
  "local.trusted_proxies_csv": ["127.0.0.1/32", VPC].join(","),
};

/**
 * The examples of each choice of var.catalog, by the folder of aws/examples/ they are rendered to:
 * what differs from EXAMPLES.
 */
export const PROFILES = {
  "": {},
  "glue/": { "local.catalog_type": "glue", "local.catalog_jdbc_url": null, "local.catalog_jdbc_user": null },
};

/** Evaluates a parsed HCL value: references from `examples`, else from the module's locals. */
export function evaluate(module, value, seen = [], examples = EXAMPLES) {
  if (Array.isArray(value)) {
    return value.map((item) => evaluate(module, item, seen, examples));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, evaluate(module, item, seen, examples)]),
    );
  }
  if (typeof value !== "string" || !value.includes("${")) {
    return value;
  }
  const whole = /^\$\{([^${}]*)\}$/.exec(value);
  if (whole) {
    return reference(module, whole[1].trim(), seen, examples);
  }
  return value.replace(/\$\{([^${}]*)\}/g, (_, name) => String(reference(module, name.trim(), seen, examples)));
}

function reference(module, name, seen, examples) {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z0-9_-]+)+$/.test(name)) {
    throw new Error(`'${name}' is not a plain reference: give its value an example in render.mjs's EXAMPLES`);
  }
  if (seen.includes(name)) {
    throw new Error(`circular reference: ${[...seen, name].join(" -> ")}`);
  }
  if (name in examples) {
    return evaluate(module, examples[name], [...seen, name], examples);
  }
  const local = /^local\.([a-z0-9_]+)$/.exec(name);
  if (local && local[1] in module.locals) {
    return evaluate(module, module.locals[local[1]], [...seen, name], examples);
  }
  throw new Error(`no example value for ${name}: add it to render.mjs's EXAMPLES`);
}

/** YAML as terraform's yamlencode means it: nested maps, lists, JSON-quoted strings. */
export function yaml(value, indent = "") {
  return Object.entries(value)
    .map(([key, item]) => {
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        return `${indent}${key}:\n${yaml(item, indent + "  ")}`;
      }
      return `${indent}${key}: ${JSON.stringify(item)}\n`;
    })
    .join("");
}

/** The server container's secrets: variable name -> the secret's resource, from its definition. */
export function serverSecrets(module) {
  const definitions = module.resource.aws_ecs_task_definition.server.container_definitions;
  return Object.fromEntries(
    [...definitions.matchAll(/name\s*=\s*"(MEDLAKE_[A-Z_]+)"\s*,\s*valueFrom\s*=\s*([a-z_.]+)/g)].map((match) => [
      match[1],
      match[2],
    ]),
  );
}

/** The rendered files of aws/examples/, by path: each profile's medlake.yaml and server.env. */
export async function renderExamples(module) {
  module ??= await loadModule();
  const files = {};
  for (const [folder, profile] of Object.entries(PROFILES)) {
    for (const [name, text] of Object.entries(renderProfile(module, { ...EXAMPLES, ...profile }))) {
      files[folder + name] = text;
    }
  }
  return files;
}

function renderProfile(module, examples) {
  const config = evaluate(module, module.locals.medlake_config, [], examples);
  const environment = evaluate(module, module.locals.server_environment, [], examples);
  const secrets = Object.entries(serverSecrets(module))
    .map(([name, secret]) => `${name}=example value of ${secret}\n`)
    .join("");
  const header =
    "# Rendered by deploy/terraform/test/render.mjs from the module's medlake_config (the medlake_yaml\n" +
    "# output) with example values; checked by the node tests and loaded by TestTerraformExample.\n";
  return {
    "medlake.yaml": header + yaml(config),
    "server.env":
      "# The server tasks' MEDLAKE_* variables (local.server_environment, rendered the same way) and\n" +
      "# their secrets (from Secrets Manager; here placeholders).\n" +
      Object.entries(environment)
        .filter(([, value]) => value !== null)
        .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(",") : value}\n`)
        .join("") +
      secrets,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, text] of Object.entries(await renderExamples())) {
    mkdirSync(dirname(join(MODULE_DIR, "examples", name)), { recursive: true });
    writeFileSync(join(MODULE_DIR, "examples", name), text);
    console.log(`wrote aws/examples/${name}`);
  }
}
