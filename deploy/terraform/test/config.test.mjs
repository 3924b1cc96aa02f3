// What the module hands medlake matches medlake's configuration: the server tasks' variables are
// the variables of medlake.yaml keys with the same values, the outputs name the keys they fill,
// and the committed examples (which medlake-cli's TestTerraformExample loads into medlake) are the
// module's current rendering.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { MODULE_DIR, REPOSITORY_DIR, expression, loadModule } from "./module.mjs";
import { evaluate, renderExamples, serverSecrets } from "./render.mjs";

let module;
before(async () => {
  module = await loadModule();
});

/** medlake's rule (ConfigKeys.environmentVariable): MEDLAKE_ + the key upper-cased, . and - as _. */
const variableOf = (key) => "MEDLAKE_" + key.toUpperCase().replaceAll(".", "_").replaceAll("-", "_");

function flatten(value, prefix = "") {
  return Object.entries(value).flatMap(([key, item]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return item !== null && typeof item === "object" && !Array.isArray(item) ? flatten(item, path) : [[path, item]];
  });
}

const source = (path) => readFileSync(join(REPOSITORY_DIR, path), "utf8");

describe("the server tasks' configuration", () => {
  it("sets, for every medlake.yaml key of medlake_config, its MEDLAKE_ variable and no other", () => {
    const keys = flatten(module.locals.medlake_config).map(([key]) => variableOf(key)).sort();
    assert.deepEqual(Object.keys(module.locals.server_environment).sort(), keys);
  });

  it("gives each variable its key's value (lists comma-separated)", () => {
    const config = Object.fromEntries(flatten(evaluate(module, module.locals.medlake_config)));
    const environment = evaluate(module, module.locals.server_environment);
    for (const [key, value] of Object.entries(config)) {
      const expected = value === null ? null : Array.isArray(value) ? value.join(",") : String(value);
      assert.equal(
        environment[variableOf(key)] === null ? null : String(environment[variableOf(key)]),
        expected,
        `${variableOf(key)} differs from ${key}`,
      );
    }
  });

  it("hands the container exactly server_environment, and its secrets under medlake's secret variables", () => {
    const definitions = module.resource.aws_ecs_task_definition.server.container_definitions;
    assert.match(definitions, /environment\s*=\s*\[for name, value in local\.server_environment :/);
    const secrets = serverSecrets(module);
    assert.deepEqual(Object.keys(secrets).sort(), [
      "MEDLAKE_CATALOG_PASSWORD",
      "MEDLAKE_PLATFORM_PASSWORD",
      "MEDLAKE_PSEUDONYM_KEY",
    ]);
    const environment = source("medlake-core/src/main/java/org/medlake/core/config/Environment.java");
    for (const name of Object.keys(secrets)) {
      assert.ok(environment.includes(`"${name}"`), `${name} is not in Environment.SECRET_VARIABLES`);
    }
  });

  it("renders the medlake_yaml output from the same medlake_config", () => {
    assert.equal(expression(module.output.medlake_yaml.value), "yamlencode(local.medlake_config)");
  });

  it("has outputs equal to the keys their descriptions name", () => {
    const config = Object.fromEntries(flatten(evaluate(module, module.locals.medlake_config)));
    for (const [output, key] of [
      ["warehouse_location", "catalog.warehouse"],
      ["landing_queue_url", "watch.queue-url"],
      ["database_jdbc_url", "platform.jdbc-url"],
      ["database_jdbc_url", "catalog.jdbc-url"],
      ["redis_url", "query.redis-url"],
    ]) {
      assert.ok(module.output[output].description.includes(key), `output ${output} does not name ${key}`);
      assert.equal(evaluate(module, module.output[output].value), config[key], `output ${output} is not ${key}`);
    }
  });

  it("watches the queue the landing bucket notifies, in the warehouse bucket the roles may write", () => {
    assert.equal(
      module.resource.aws_s3_bucket_notification.landing.queue[0].queue_arn,
      "${aws_sqs_queue.landing_events.arn}",
    );
    assert.equal(module.locals.medlake_config.watch["queue-url"], "${aws_sqs_queue.landing_events.url}");
    assert.equal(module.locals.medlake_config.catalog.warehouse, "s3://${aws_s3_bucket.warehouse.id}/warehouse");
    assert.equal(module.locals.warehouse_objects, "${aws_s3_bucket.warehouse.arn}/warehouse/*");
  });

  it("is what aws/examples/ holds (run `npm run render-examples` after changing the module)", async () => {
    for (const [name, text] of Object.entries(await renderExamples(module))) {
      assert.equal(readFileSync(join(MODULE_DIR, "examples", name), "utf8"), text, `aws/examples/${name} is stale`);
    }
  });
});

describe("the server tasks' network", () => {
  it("reaches medlake on server.port through the proxy, which the load balancer alone reaches", () => {
    const { locals } = module;
    assert.equal(locals.medlake_config.server.port, "${local.server_port}");
    assert.equal(locals.metrics_port, "${local.server_port}");
    assert.match(locals.proxy_conf, /proxy_pass http:\/\/127\.0\.0\.1:\$\{local\.server_port\};/);
    assert.match(locals.proxy_conf, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    assert.match(locals.proxy_conf, /location = \/metrics \{ return 404; \}/);
    assert.match(locals.collector_config, /targets: \["127\.0\.0\.1:\$\{local\.metrics_port\}"\]/);
    assert.deepEqual(evaluate(module, "${local.trusted_proxies}").slice(0, 1), ["127.0.0.1/32"]);
    const service = module.resource.aws_ecs_service.server;
    assert.equal(service.load_balancer[0].container_name, "proxy");
    assert.equal(service.load_balancer[0].container_port, "${local.proxy_port}");
    assert.equal(module.resource.aws_lb_target_group.server.port, "${local.proxy_port}");
    const ingress = module.resource.aws_vpc_security_group_ingress_rule.server_from_alb;
    assert.equal(ingress.referenced_security_group_id, "${aws_security_group.alb.id}");
    assert.equal(ingress.from_port, "${local.proxy_port}");
    assert.equal(service.network_configuration[0].assign_public_ip, false);
  });
});

describe("the alarms", () => {
  it("watch medlake's runs counter for the FAILED and HELD statuses it has", () => {
    const metrics = source("medlake-server/src/main/java/org/medlake/server/http/ServerMetrics.java");
    assert.ok(metrics.includes('"medlake.ingest.runs"'), "ServerMetrics has no medlake.ingest.runs counter");
    const statuses = source("medlake-core/src/main/java/org/medlake/core/ledger/RunStatus.java");
    const alarms = module.resource.aws_cloudwatch_metric_alarm;
    for (const [alarm, status] of [
      ["failed_runs", "FAILED"],
      ["held_runs", "HELD"],
    ]) {
      // Micrometer's Prometheus name of medlake.ingest.runs
      assert.equal(alarms[alarm].metric_name, "medlake_ingest_runs_total");
      assert.deepEqual(alarms[alarm].dimensions, { status });
      assert.match(statuses, new RegExp(`^\\s*${status}\\b`, "m"), `RunStatus has no ${status}`);
      assert.equal(alarms[alarm].namespace, "${local.metrics_namespace}");
    }
    assert.match(module.locals.collector_config, /metric_name_selectors: \["\^medlake_ingest_runs_total\$"\]/);
    assert.match(module.locals.collector_config, /dimensions: \[\[status\]\]/);
  });
});
