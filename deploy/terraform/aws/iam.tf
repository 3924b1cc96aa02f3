# Least privilege: one role per job, each statement naming its buckets, prefixes, queue, secrets,
# key and log groups. No statement grants every action, and "*" as resource appears only for
# ecr:GetAuthorizationToken, which has no resource-level permissions.

locals {
  warehouse_objects = "${aws_s3_bucket.warehouse.arn}/warehouse/*"
  artifact_objects  = "${aws_s3_bucket.warehouse.arn}/artifacts/*"
  landing_objects   = "${aws_s3_bucket.landing.arn}/*"
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "emr_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# ECS itself: pull the images, write the containers' logs, hand the secrets to the containers.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  description        = "ECS agent of the medlake server tasks"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = merge(local.tags, { Name = "${var.name}-ecs-execution" })
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/*"]
  }
  statement {
    sid     = "ContainerLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${aws_cloudwatch_log_group.server.arn}:*",
      "${aws_cloudwatch_log_group.metrics.arn}:*",
    ]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.database.arn, aws_secretsmanager_secret.pseudonym_key.arn]
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.medlake.arn]
  }
}

# The server tasks: serve queries (read the warehouse), ingest what the queue announces (read the
# landing bucket, write the warehouse), and publish the metrics.
resource "aws_iam_role" "server" {
  name               = "${var.name}-server"
  description        = "medlake server tasks (queries, watcher, metrics collector)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = merge(local.tags, { Name = "${var.name}-server" })
}

resource "aws_iam_role_policy" "server" {
  name   = "server"
  role   = aws_iam_role.server.id
  policy = data.aws_iam_policy_document.server.json
}

data "aws_iam_policy_document" "server" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.warehouse.arn, aws_s3_bucket.landing.arn]
  }
  statement {
    sid       = "ReadDeliveries"
    actions   = ["s3:GetObject"]
    resources = [local.landing_objects]
  }
  statement {
    sid       = "ReadWriteTables"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [local.warehouse_objects]
  }
  statement {
    sid = "LandingQueue"
    actions = [
      "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
    ]
    resources = [aws_sqs_queue.landing_events.arn]
  }
  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.medlake.arn]
  }
  statement {
    sid       = "MetricsCollector"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.metrics.arn, "${aws_cloudwatch_log_group.metrics.arn}:*"]
  }
}

# The Spark job on EMR Serverless: read deliveries and its own artifacts (medlake-spark.jar, the
# home's archive), write the tables, read the database password and the pseudonym key, log.
resource "aws_iam_role" "spark" {
  name               = "${var.name}-spark-job"
  description        = "medlake Spark ingestion job on EMR Serverless"
  assume_role_policy = data.aws_iam_policy_document.emr_assume.json
  tags               = merge(local.tags, { Name = "${var.name}-spark-job" })
}

resource "aws_iam_role_policy" "spark" {
  name   = "spark"
  role   = aws_iam_role.spark.id
  policy = data.aws_iam_policy_document.spark.json
}

data "aws_iam_policy_document" "spark" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.warehouse.arn, aws_s3_bucket.landing.arn]
  }
  statement {
    sid       = "ReadDeliveriesAndArtifacts"
    actions   = ["s3:GetObject"]
    resources = [local.landing_objects, local.artifact_objects]
  }
  statement {
    sid       = "ReadWriteTables"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [local.warehouse_objects]
  }
  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.medlake.arn]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.database.arn, aws_secretsmanager_secret.pseudonym_key.arn]
  }
  statement {
    sid       = "JobLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.spark.arn, "${aws_cloudwatch_log_group.spark.arn}:*"]
  }
}

# With catalog = "glue" the tables are Glue tables (medlake's catalog.type glue): the server tasks
# and the Spark job read and commit them there. Tables only, in medlake's database; the database
# itself is created here, not by medlake.
resource "aws_iam_role_policy" "server_glue" {
  count  = var.catalog == "glue" ? 1 : 0
  name   = "glue-tables"
  role   = aws_iam_role.server.id
  policy = data.aws_iam_policy_document.glue_tables.json
}

resource "aws_iam_role_policy" "spark_glue" {
  count  = var.catalog == "glue" ? 1 : 0
  name   = "glue-tables"
  role   = aws_iam_role.spark.id
  policy = data.aws_iam_policy_document.glue_tables.json
}

data "aws_iam_policy_document" "glue_tables" {
  statement {
    sid = "GlueTables"
    actions = [
      "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
    ]
    resources = [
      "arn:${local.partition}:glue:${var.region}:${local.account_id}:catalog",
      aws_glue_catalog_database.medlake.arn,
      "arn:${local.partition}:glue:${var.region}:${local.account_id}:table/${aws_glue_catalog_database.medlake.name}/*",
    ]
  }
}
