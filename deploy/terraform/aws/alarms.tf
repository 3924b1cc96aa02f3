# Alarms on failed and held runs. medlake counts finished runs in medlake_ingest_runs_total{status}
# on /metrics (docs/operations.md); the collector in each server task publishes it to CloudWatch
# (namespace "medlake", dimension status: each scrape publishes the runs finished since the last
# one; the server registers the counter of every status at 0, so the first failure counts too). A run the Spark job finishes is not counted there: its failures are in the
# ledger (`medlake runs`) and fail the EMR job run, which the second pair of alarms reports.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.medlake.id
  tags              = merge(local.tags, { Name = "${var.name}-alarms" })
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "failed_runs" {
  alarm_name          = "${var.name}-failed-runs"
  alarm_description   = "An ingestion run FAILED: `medlake runs --json` names it and its reason (docs/operations.md, runbook)."
  namespace           = local.metrics_namespace
  metric_name         = "medlake_ingest_runs_total"
  dimensions          = { status = "FAILED" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = merge(local.tags, { Name = "${var.name}-failed-runs" })
}

resource "aws_cloudwatch_metric_alarm" "held_runs" {
  alarm_name          = "${var.name}-held-runs"
  alarm_description   = "An ingestion run was HELD (it would have shrunk or wiped stored data): fix the mapping or `medlake runs approve RUN_ID`."
  namespace           = local.metrics_namespace
  metric_name         = "medlake_ingest_runs_total"
  dimensions          = { status = "HELD" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = merge(local.tags, { Name = "${var.name}-held-runs" })
}

resource "aws_cloudwatch_metric_alarm" "undeliverable_notifications" {
  alarm_name          = "${var.name}-undeliverable-notifications"
  alarm_description   = "S3 notifications of new deliveries reached the dead-letter queue: the watcher could not take them; ingest those files by hand."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.landing_events_dead.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  tags                = merge(local.tags, { Name = "${var.name}-undeliverable-notifications" })
}

# A Spark job run that ends FAILED (a file failed or was held: exit code 1; or the job broke).
resource "aws_cloudwatch_event_rule" "spark_failed" {
  name        = "${var.name}-spark-job-failed"
  description = "medlake Spark ingestion job runs that end FAILED"
  tags        = merge(local.tags, { Name = "${var.name}-spark-job-failed" })
  event_pattern = jsonencode({
    source        = ["aws.emr-serverless"]
    "detail-type" = ["EMR Serverless Job Run State Change"]
    detail = {
      applicationId = [aws_emrserverless_application.spark.id]
      state         = ["FAILED"]
    }
  })
}

resource "aws_cloudwatch_event_target" "spark_failed" {
  rule = aws_cloudwatch_event_rule.spark_failed.name
  arn  = aws_sns_topic.alarms.arn
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
  statement {
    sid       = "SparkJobEvents"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.spark_failed.arn]
    }
  }
}
