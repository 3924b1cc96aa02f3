// The policy checks. Each takes a loaded module and returns its problems, one line each naming the
// block, so that a test shows every violation at once and the same checks can be run on
// deliberately broken modules.
import { expression, first, resources } from "./module.mjs";

/** Resource types the AWS provider cannot tag (they are parts of a tagged resource). */
export const UNTAGGABLE = new Set([
  "aws_kms_alias",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_notification",
  "aws_sqs_queue_policy",
  "aws_secretsmanager_secret_version",
  "aws_iam_role_policy",
  "aws_sns_topic_subscription",
  "aws_sns_topic_policy",
  "aws_cloudwatch_event_target",
  "aws_wafv2_web_acl_association",
  "random_password",
]);

/** Actions that have no resource-level permissions: "*" is their only possible resource. */
export const RESOURCE_LESS_ACTIONS = new Set(["ecr:GetAuthorizationToken"]);

/** Storage classes a query can read at once; older months must stay readable. */
export const READABLE_STORAGE_CLASSES = new Set(["STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING"]);

const POLICY_ATTRIBUTES = {
  aws_iam_role: "assume_role_policy",
  aws_iam_role_policy: "policy",
  aws_iam_policy: "policy",
  aws_s3_bucket_policy: "policy",
  aws_sqs_queue_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_kms_key: "policy",
};

/** Buckets whose block of `type` refers to `aws_s3_bucket.<name>.id`, by bucket name. */
function bucketParts(module, type) {
  const parts = {};
  for (const [name, body] of Object.entries(module.resource[type] ?? {})) {
    const match = /^aws_s3_bucket\.([a-z0-9_]+)\.(id|bucket)$/.exec(expression(body.bucket) ?? "");
    if (match) {
      parts[match[1]] = { name, body };
    }
  }
  return parts;
}

export function unencryptedBuckets(module) {
  const encryption = bucketParts(module, "aws_s3_bucket_server_side_encryption_configuration");
  return Object.keys(module.resource.aws_s3_bucket ?? {}).flatMap((bucket) => {
    const found = encryption[bucket];
    if (!found) {
      return [`aws_s3_bucket.${bucket} has no aws_s3_bucket_server_side_encryption_configuration`];
    }
    const defaults = first(first(found.body.rule)?.apply_server_side_encryption_by_default);
    if (defaults?.sse_algorithm !== "aws:kms" || !defaults?.kms_master_key_id) {
      return [`aws_s3_bucket.${bucket} is not encrypted with a KMS key (sse_algorithm aws:kms and kms_master_key_id)`];
    }
    return [];
  });
}

export function publicBuckets(module) {
  const blocks = bucketParts(module, "aws_s3_bucket_public_access_block");
  const ownership = bucketParts(module, "aws_s3_bucket_ownership_controls");
  const problems = Object.keys(module.resource.aws_s3_bucket ?? {}).flatMap((bucket) => {
    const block = blocks[bucket]?.body;
    const found = [];
    if (!block) {
      found.push(`aws_s3_bucket.${bucket} has no aws_s3_bucket_public_access_block`);
    } else {
      for (const setting of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) {
        if (block[setting] !== true) {
          found.push(`aws_s3_bucket_public_access_block.${blocks[bucket].name}: ${setting} is not true`);
        }
      }
    }
    if (first(ownership[bucket]?.body.rule)?.object_ownership !== "BucketOwnerEnforced") {
      found.push(`aws_s3_bucket.${bucket}: object ownership is not BucketOwnerEnforced (ACLs stay possible)`);
    }
    return found;
  });
  for (const name of Object.keys(module.resource.aws_s3_bucket_acl ?? {})) {
    problems.push(`aws_s3_bucket_acl.${name}: buckets have no ACLs`);
  }
  for (const [name, body] of Object.entries(module.resource.aws_s3_bucket ?? {})) {
    if (body.acl !== undefined) {
      problems.push(`aws_s3_bucket.${name}: acl is set`);
    }
  }
  return problems;
}

export function unversionedOrUnmanagedBuckets(module) {
  const versioning = bucketParts(module, "aws_s3_bucket_versioning");
  const lifecycle = bucketParts(module, "aws_s3_bucket_lifecycle_configuration");
  return Object.keys(module.resource.aws_s3_bucket ?? {}).flatMap((bucket) => {
    const found = [];
    if (first(versioning[bucket]?.body.versioning_configuration)?.status !== "Enabled") {
      found.push(`aws_s3_bucket.${bucket}: versioning is not Enabled`);
    }
    const rules = lifecycle[bucket]?.body.rule ?? [];
    if (rules.length === 0) {
      found.push(`aws_s3_bucket.${bucket} has no lifecycle rules`);
    }
    for (const rule of rules) {
      for (const transition of rule.transition ?? []) {
        if (!READABLE_STORAGE_CLASSES.has(transition.storage_class)) {
          found.push(`aws_s3_bucket.${bucket}: rule ${rule.id} moves objects to ${transition.storage_class}, which queries cannot read at once`);
        }
      }
    }
    return found;
  });
}

/** Every statement of every aws_iam_policy_document, with where it comes from. */
export function statements(module) {
  return Object.entries(module.data.aws_iam_policy_document ?? {}).flatMap(([name, document]) =>
    (document.statement ?? []).map((statement, index) => ({
      where: `data.aws_iam_policy_document.${name} statement ${statement.sid ?? index + 1}`,
      document: name,
      statement,
    })),
  );
}

function keyPolicyDocuments(module) {
  return new Set(
    Object.values(module.resource.aws_kms_key ?? {})
      .map((key) => /^data\.aws_iam_policy_document\.([a-z0-9_]+)\.json$/.exec(expression(key.policy) ?? "")?.[1])
      .filter(Boolean),
  );
}

const wildcard = (action) => action === "*" || /^[a-z0-9-]+:\*$/.test(action);

export function overbroadStatements(module) {
  const keyPolicies = keyPolicyDocuments(module);
  return statements(module).flatMap(({ where, document, statement }) => {
    if ((statement.effect ?? "Allow") === "Deny") {
      return [];
    }
    const found = [];
    if (statement.not_actions || statement.not_resources) {
      found.push(`${where}: an Allow with not_actions or not_resources grants everything else`);
    }
    const actions = statement.actions ?? [];
    const resourceList = statement.resources ?? [];
    for (const action of actions.filter(wildcard)) {
      found.push(`${where}: action ${action} grants every action of its service`);
    }
    if (resourceList.includes("*") && !keyPolicies.has(document)) {
      const broad = actions.filter((action) => !RESOURCE_LESS_ACTIONS.has(action));
      if (broad.length > 0) {
        found.push(`${where}: ${broad.join(", ")} on resource *`);
      }
    }
    for (const principal of statement.principals ?? []) {
      if (principal.type === "*" || (principal.identifiers ?? []).includes("*")) {
        found.push(`${where}: allows every principal`);
      }
    }
    return found;
  });
}

/** Policies given as jsonencode(...) or heredocs would escape the statement checks. */
export function uncheckedPolicies(module) {
  const found = [];
  for (const [type, attribute] of Object.entries(POLICY_ATTRIBUTES)) {
    for (const [name, body] of Object.entries(module.resource[type] ?? {})) {
      if (body[attribute] === undefined) {
        continue;
      }
      if (!/^data\.aws_iam_policy_document\.[a-z0-9_]+(\[[^\]]+\])?\.json$/.test(expression(body[attribute]) ?? "")) {
        found.push(`${type}.${name}.${attribute} is not a data.aws_iam_policy_document's json`);
      }
    }
  }
  for (const type of ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment"]) {
    for (const name of Object.keys(module.resource[type] ?? {})) {
      found.push(`${type}.${name}: attach this module's own policy documents, not managed policies`);
    }
  }
  return found;
}

export function untaggedResources(module) {
  return resources(module).flatMap(([type, name, body]) => {
    if (UNTAGGABLE.has(type)) {
      return [];
    }
    if (body.tags === undefined) {
      return [`${type}.${name} has no tags`];
    }
    return String(body.tags).includes("local.tags") ? [] : [`${type}.${name}: tags do not include local.tags`];
  });
}

export function undocumentedInputsAndOutputs(module) {
  const found = [];
  for (const [name, variable] of Object.entries(module.variable)) {
    if (typeof variable.description !== "string" || variable.description.trim().length < 10) {
      found.push(`${variable.file}: variable ${name} has no description`);
    }
    if (!variable.type) {
      found.push(`${variable.file}: variable ${name} has no type`);
    }
  }
  for (const [name, output] of Object.entries(module.output)) {
    if (typeof output.description !== "string" || output.description.trim().length < 10) {
      found.push(`${output.file}: output ${name} has no description`);
    }
  }
  return found;
}

/** Stores other than buckets: database, cache, queues, secrets, topic. */
export function unencryptedStores(module) {
  const found = [];
  const each = (type, check, problem) => {
    for (const [name, body] of Object.entries(module.resource[type] ?? {})) {
      if (!check(body)) {
        found.push(`${type}.${name}: ${problem}`);
      }
    }
  };
  each("aws_db_instance", (db) => db.storage_encrypted === true && db.kms_key_id, "storage_encrypted with kms_key_id");
  each("aws_db_instance", (db) => db.publicly_accessible === false, "publicly_accessible must be false");
  each(
    "aws_elasticache_replication_group",
    (redis) => redis.at_rest_encryption_enabled === true && redis.transit_encryption_enabled === true,
    "at-rest and in-transit encryption",
  );
  each("aws_sqs_queue", (queue) => queue.sqs_managed_sse_enabled === true || queue.kms_master_key_id, "server-side encryption");
  each("aws_secretsmanager_secret", (secret) => secret.kms_key_id, "kms_key_id");
  each("aws_sns_topic", (topic) => topic.kms_master_key_id, "kms_master_key_id");
  each("aws_kms_key", (key) => key.enable_key_rotation === true, "enable_key_rotation");
  return found;
}
