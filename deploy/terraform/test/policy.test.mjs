// Policy checks on the parsed module (no terraform, no AWS): each check runs on the module, which
// must pass, and on a small module that breaks it, which must fail, so a check that stops looking
// fails its own test.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadModule, moduleOf, resources } from "./module.mjs";
import {
  overbroadStatements,
  publicBuckets,
  uncheckedPolicies,
  undocumentedInputsAndOutputs,
  unencryptedBuckets,
  unencryptedStores,
  untaggedResources,
  unversionedOrUnmanagedBuckets,
} from "./policy.mjs";

let module;
before(async () => {
  module = await loadModule();
});

const BARE_BUCKET = `
resource "aws_s3_bucket" "open" {
  bucket = "open"
  tags   = local.tags
}
`;

describe("the module", () => {
  it("parses with HashiCorp's HCL parser and declares what the issue lists", () => {
    const types = new Set(resources(module).map(([type]) => type));
    for (const type of [
      "aws_s3_bucket",
      "aws_s3_bucket_notification",
      "aws_sqs_queue",
      "aws_emrserverless_application",
      "aws_db_instance",
      "aws_glue_catalog_database",
      "aws_athena_workgroup",
      "aws_ecs_service",
      "aws_lb",
      "aws_wafv2_web_acl",
      "aws_wafv2_web_acl_association",
      "aws_elasticache_replication_group",
      "aws_iam_role",
      "aws_cloudwatch_metric_alarm",
    ]) {
      assert.ok(types.has(type), `no ${type}`);
    }
    assert.deepEqual(Object.keys(module.resource.aws_s3_bucket).sort(), ["athena_results", "landing", "warehouse"]);
  });

  it("rejects a file with a syntax error, naming file, line and column", async () => {
    await assert.rejects(moduleOf('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'), /main\.tf:2,\d+/);
  });
});

describe("buckets", () => {
  it("are all encrypted with the module's KMS key", async () => {
    assert.deepEqual(unencryptedBuckets(module), []);
    assert.deepEqual(unencryptedBuckets(await moduleOf(BARE_BUCKET)), [
      "aws_s3_bucket.open has no aws_s3_bucket_server_side_encryption_configuration",
    ]);
    const aes = await moduleOf(`${BARE_BUCKET}
resource "aws_s3_bucket_server_side_encryption_configuration" "open" {
  bucket = aws_s3_bucket.open.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}`);
    assert.match(unencryptedBuckets(aes).join("\n"), /aws_s3_bucket\.open is not encrypted with a KMS key/);
  });

  it("are not public: every public access blocked, no ACLs", async () => {
    assert.deepEqual(publicBuckets(module), []);
    const open = await moduleOf(`${BARE_BUCKET}
resource "aws_s3_bucket_public_access_block" "open" {
  bucket                  = aws_s3_bucket.open.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_acl" "open" {
  bucket = aws_s3_bucket.open.id
  acl    = "public-read"
}`);
    assert.deepEqual(publicBuckets(open), [
      "aws_s3_bucket_public_access_block.open: block_public_policy is not true",
      "aws_s3_bucket.open: object ownership is not BucketOwnerEnforced (ACLs stay possible)",
      "aws_s3_bucket_acl.open: buckets have no ACLs",
    ]);
  });

  it("are versioned, with lifecycle rules that only use tiers queries can read at once", async () => {
    assert.deepEqual(unversionedOrUnmanagedBuckets(module), []);
    const frozen = await moduleOf(`${BARE_BUCKET}
resource "aws_s3_bucket_versioning" "open" {
  bucket = aws_s3_bucket.open.id
  versioning_configuration {
    status = "Suspended"
  }
}
resource "aws_s3_bucket_lifecycle_configuration" "open" {
  bucket = aws_s3_bucket.open.id
  rule {
    id     = "freeze"
    status = "Enabled"
    transition {
      days          = 30
      storage_class = "DEEP_ARCHIVE"
    }
  }
}`);
    assert.deepEqual(unversionedOrUnmanagedBuckets(frozen), [
      "aws_s3_bucket.open: versioning is not Enabled",
      "aws_s3_bucket.open: rule freeze moves objects to DEEP_ARCHIVE, which queries cannot read at once",
    ]);
  });

  it("refuse requests without TLS", () => {
    for (const bucket of Object.keys(module.resource.aws_s3_bucket)) {
      const policy = module.resource.aws_s3_bucket_policy?.[bucket];
      assert.ok(policy, `aws_s3_bucket.${bucket} has no bucket policy`);
      const document = /tls_only\["([a-z_]+)"\]/.exec(policy.policy)?.[1];
      assert.equal(document, bucket, `aws_s3_bucket_policy.${bucket} is not the tls_only document of ${bucket}`);
    }
    const tls = module.data.aws_iam_policy_document.tls_only.statement[0];
    assert.equal(tls.effect, "Deny");
    assert.deepEqual(tls.condition[0], { test: "Bool", variable: "aws:SecureTransport", values: ["false"] });
  });
});

describe("other stores", () => {
  it("database, cache, queues, secrets and the alarm topic are encrypted; the database is private", async () => {
    assert.deepEqual(unencryptedStores(module), []);
    const open = await moduleOf(`
resource "aws_db_instance" "db" {
  storage_encrypted   = false
  publicly_accessible = true
}
resource "aws_sqs_queue" "q" {
  name = "q"
}`);
    assert.deepEqual(unencryptedStores(open), [
      "aws_db_instance.db: storage_encrypted with kms_key_id",
      "aws_db_instance.db: publicly_accessible must be false",
      "aws_sqs_queue.q: server-side encryption",
    ]);
  });
});

describe("IAM", () => {
  it("has no statement granting every action, nor actions on every resource", async () => {
    assert.deepEqual(overbroadStatements(module), []);
    const admin = await moduleOf(`
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    sid       = "Everything"
    actions   = ["s3:*", "s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
  statement {
    sid       = "Anywhere"
    actions   = ["s3:GetObject", "ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}`);
    assert.deepEqual(overbroadStatements(admin), [
      "data.aws_iam_policy_document.admin statement 1: action * grants every action of its service",
      "data.aws_iam_policy_document.admin statement 1: * on resource *",
      "data.aws_iam_policy_document.admin statement Everything: action s3:* grants every action of its service",
      "data.aws_iam_policy_document.admin statement Anywhere: s3:GetObject on resource *",
    ]);
  });

  it("writes every policy as a checked policy document, attaches no managed policy", async () => {
    assert.deepEqual(uncheckedPolicies(module), []);
    const inline = await moduleOf(`
resource "aws_iam_role_policy" "p" {
  role   = "r"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = "r"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}`);
    assert.deepEqual(uncheckedPolicies(inline), [
      "aws_iam_role_policy.p.policy is not a data.aws_iam_policy_document's json",
      "aws_iam_role_policy_attachment.admin: attach this module's own policy documents, not managed policies",
    ]);
  });

  it("grants the Glue tables to the server and the Spark job only with catalog = glue, in medlake's database", () => {
    const policies = module.resource.aws_iam_role_policy;
    const glue = Object.entries(policies).filter(([, policy]) =>
      policy.policy.includes("data.aws_iam_policy_document.glue_tables"),
    );
    assert.deepEqual(glue.map(([name]) => name).sort(), ["server_glue", "spark_glue"]);
    for (const [name, policy] of glue) {
      assert.equal(policy.count, '${var.catalog == "glue" ? 1 : 0}', `${name} is not conditional on catalog = glue`);
    }
    assert.deepEqual(glue.map(([, policy]) => policy.role).sort(), ["${aws_iam_role.server.id}", "${aws_iam_role.spark.id}"]);
    const documents = module.data.aws_iam_policy_document;
    const mentionsGlue = Object.entries(documents)
      .filter(([, document]) => JSON.stringify(document).includes("glue:"))
      .map(([name]) => name);
    assert.deepEqual(mentionsGlue, ["glue_tables"]);
    for (const resource of documents.glue_tables.statement[0].resources) {
      assert.match(resource, /:catalog$|aws_glue_catalog_database\.medlake/, `${resource} is outside medlake's database`);
    }
  });
});

describe("tags", () => {
  it("every resource that can carry tags carries local.tags, and the provider adds them by default", async () => {
    assert.deepEqual(untaggedResources(module), []);
    assert.equal(module.provider.aws[0].default_tags[0].tags, "${local.tags}");
    const bare = await moduleOf(`
resource "aws_sqs_queue" "q" {
  name = "q"
}
resource "aws_sns_topic" "t" {
  tags = { Name = "t" }
}`);
    assert.deepEqual(untaggedResources(bare).sort(), [
      "aws_sns_topic.t: tags do not include local.tags",
      "aws_sqs_queue.q has no tags",
    ]);
  });
});

describe("variables and outputs", () => {
  it("every variable has a type and a description, every output a description", async () => {
    assert.deepEqual(undocumentedInputsAndOutputs(module), []);
    const bare = await moduleOf(`
variable "size" {
  default = 1
}
output "url" {
  value = "x"
}`);
    assert.deepEqual(undocumentedInputsAndOutputs(bare), [
      "main.tf: variable size has no description",
      "main.tf: variable size has no type",
      "main.tf: output url has no description",
    ]);
  });

  it("the Athena workgroup enforces the bytes-scanned cutoff of its variable", () => {
    const configuration = module.resource.aws_athena_workgroup.medlake.configuration[0];
    assert.equal(configuration.bytes_scanned_cutoff_per_query, "${var.athena_bytes_scanned_cutoff}");
    assert.equal(configuration.enforce_workgroup_configuration, true);
  });

  it("the WAF blocks every address outside allowed_cidrs, on the server's load balancer", () => {
    const acl = module.resource.aws_wafv2_web_acl.server;
    assert.deepEqual(acl.default_action[0], { block: [{}] });
    assert.equal(module.resource.aws_wafv2_ip_set.allowed.addresses, "${var.allowed_cidrs}");
    assert.equal(module.resource.aws_wafv2_web_acl_association.server.resource_arn, "${aws_lb.server.arn}");
  });
});
