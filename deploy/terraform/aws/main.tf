data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_vpc" "selected" {
  id = var.vpc_id
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  tags       = merge(var.tags, { Project = "medlake" })

  landing_bucket   = "${var.name}-landing-${local.account_id}"
  warehouse_bucket = "${var.name}-warehouse-${local.account_id}"
  athena_bucket    = "${var.name}-athena-results-${local.account_id}"
  database_name    = "medlake"
  database_user    = "medlake"
  server_port      = 8080
  metrics_port     = local.server_port
}

# One key for everything at rest: buckets, queue, database, secrets, logs of the Spark job.
resource "aws_kms_key" "medlake" {
  description         = "${var.name}: landing and warehouse buckets, Athena results, database, secrets"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
  tags                = merge(local.tags, { Name = "${var.name}-data" })
}

resource "aws_kms_alias" "medlake" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.medlake.key_id
}

# The account administers the key and may delegate its use through IAM policies (iam.tf); in a
# key policy "*" as resource means this key. No "kms:*": the actions are named.
data "aws_iam_policy_document" "kms" {
  statement {
    sid = "AccountAdministersAndDelegates"
    actions = [
      "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
      "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
      "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
      "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms and EventBridge publish to the encrypted alarm topic (alarms.tf).
  statement {
    sid       = "AlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}
