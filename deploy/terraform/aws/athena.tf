# Large queries: Athena reads the same Iceberg tables through the Glue database (catalog.tf). The
# workgroup's settings are enforced, so a client cannot lift the bytes-scanned cutoff.

resource "aws_athena_workgroup" "medlake" {
  name          = var.name
  description   = "medlake queries routed to Athena (query.engine: jdbc)"
  force_destroy = false
  tags          = merge(local.tags, { Name = var.name })

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${aws_s3_bucket.athena_results.id}/results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.medlake.arn
      }
    }
  }
}
