# Landing (deliveries, <source>/<YYYY-MM>/<file>.csv[.gz]), warehouse (Iceberg tables under
# warehouse/medlake/<table>) and Athena's query results. Each: SSE-KMS, versioning, every public
# access blocked, owner-enforced objects (no ACLs), TLS only, lifecycle.

resource "aws_s3_bucket" "landing" {
  bucket = local.landing_bucket
  tags   = merge(local.tags, { Name = local.landing_bucket })
}

resource "aws_s3_bucket" "warehouse" {
  bucket = local.warehouse_bucket
  tags   = merge(local.tags, { Name = local.warehouse_bucket })
}

resource "aws_s3_bucket" "athena_results" {
  bucket = local.athena_bucket
  tags   = merge(local.tags, { Name = local.athena_bucket })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.medlake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.medlake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.medlake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "landing" {
  bucket                  = aws_s3_bucket.landing.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "warehouse" {
  bucket                  = aws_s3_bucket.warehouse.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "athena_results" {
  bucket                  = aws_s3_bucket.athena_results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "landing" {
  bucket = aws_s3_bucket.landing.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "landing" {
  bucket = aws_s3_bucket.landing.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  versioning_configuration {
    status = "Enabled"
  }
}

# Old months move to cheaper tiers by age. Only tiers a query can read at once (Standard-IA,
# Glacier Instant Retrieval): Glacier Flexible or Deep Archive would make Iceberg reads fail.
resource "aws_s3_bucket_lifecycle_configuration" "warehouse" {
  bucket     = aws_s3_bucket.warehouse.id
  depends_on = [aws_s3_bucket_versioning.warehouse]

  lifecycle {
    precondition {
      condition     = var.warehouse_glacier_ir_days >= var.warehouse_infrequent_access_days + 30
      error_message = "warehouse_glacier_ir_days must be at least 30 days after warehouse_infrequent_access_days (Standard-IA bills 30 days at least)."
    }
  }

  rule {
    id     = "old-months-to-cheaper-tiers"
    status = "Enabled"
    filter {
      prefix = "warehouse/"
    }
    transition {
      days          = var.warehouse_infrequent_access_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.warehouse_glacier_ir_days
      storage_class = "GLACIER_IR"
    }
  }

  rule {
    id     = "previous-versions-and-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket     = aws_s3_bucket.landing.id
  depends_on = [aws_s3_bucket_versioning.landing]

  lifecycle {
    precondition {
      condition     = var.landing_glacier_ir_days >= var.landing_infrequent_access_days + 30
      error_message = "landing_glacier_ir_days must be at least 30 days after landing_infrequent_access_days (Standard-IA bills 30 days at least)."
    }
  }

  rule {
    id     = "old-deliveries-to-cheaper-tiers"
    status = "Enabled"
    filter {}
    transition {
      days          = var.landing_infrequent_access_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.landing_glacier_ir_days
      storage_class = "GLACIER_IR"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "athena_results" {
  bucket     = aws_s3_bucket.athena_results.id
  depends_on = [aws_s3_bucket_versioning.athena_results]

  rule {
    id     = "expire-results"
    status = "Enabled"
    filter {}
    expiration {
      days = 30
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "landing" {
  bucket     = aws_s3_bucket.landing.id
  policy     = data.aws_iam_policy_document.tls_only["landing"].json
  depends_on = [aws_s3_bucket_public_access_block.landing]
}

resource "aws_s3_bucket_policy" "warehouse" {
  bucket     = aws_s3_bucket.warehouse.id
  policy     = data.aws_iam_policy_document.tls_only["warehouse"].json
  depends_on = [aws_s3_bucket_public_access_block.warehouse]
}

resource "aws_s3_bucket_policy" "athena_results" {
  bucket     = aws_s3_bucket.athena_results.id
  policy     = data.aws_iam_policy_document.tls_only["athena_results"].json
  depends_on = [aws_s3_bucket_public_access_block.athena_results]
}

# Requests without TLS are refused, whoever makes them.
data "aws_iam_policy_document" "tls_only" {
  for_each = {
    landing        = aws_s3_bucket.landing.arn
    warehouse      = aws_s3_bucket.warehouse.arn
    athena_results = aws_s3_bucket.athena_results.arn
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]
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

# Every object created in the landing bucket is announced to the watcher's queue (sqs.tf).
resource "aws_s3_bucket_notification" "landing" {
  bucket = aws_s3_bucket.landing.id

  queue {
    queue_arn = aws_sqs_queue.landing_events.arn
    events    = ["s3:ObjectCreated:*"]
  }

  depends_on = [aws_sqs_queue_policy.landing_events]
}
