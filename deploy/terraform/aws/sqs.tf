# S3 ObjectCreated notifications of the landing bucket -> this queue -> the watcher in the server
# tasks (watch.queue-url). Messages the watcher cannot take after 5 receives go to the dead-letter
# queue, which has an alarm (alarms.tf).

resource "aws_sqs_queue" "landing_events_dead" {
  name                      = "${var.name}-landing-events-dead"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = merge(local.tags, { Name = "${var.name}-landing-events-dead" })
}

resource "aws_sqs_queue" "landing_events" {
  name                       = "${var.name}-landing-events"
  message_retention_seconds  = 1209600
  visibility_timeout_seconds = 900
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.landing_events_dead.arn
    maxReceiveCount     = 5
  })
  tags = merge(local.tags, { Name = "${var.name}-landing-events" })
}

resource "aws_sqs_queue_policy" "landing_events" {
  queue_url = aws_sqs_queue.landing_events.id
  policy    = data.aws_iam_policy_document.landing_events.json
}

# Only the landing bucket of this account may send, and only over TLS.
data "aws_iam_policy_document" "landing_events" {
  statement {
    sid       = "LandingBucketSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.landing_events.arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.landing.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.landing_events.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
