# The Spark ingestion job (medlake-spark.jar) for monthly batches and backfills. The application
# starts on the first job run and stops when idle; the maximum capacity caps the cost of one run.

resource "aws_security_group" "emr" {
  name        = "${var.name}-emr"
  description = "EMR Serverless Spark job: no inbound traffic"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-emr" })
}

resource "aws_vpc_security_group_egress_rule" "emr_all" {
  security_group_id = aws_security_group.emr.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "S3, the database, AWS APIs"
  tags              = local.tags
}

resource "aws_emrserverless_application" "spark" {
  name          = "${var.name}-ingest"
  release_label = var.emr_release_label
  type          = "spark"
  tags          = merge(local.tags, { Name = "${var.name}-ingest" })

  maximum_capacity {
    cpu    = var.emr_max_vcpu
    memory = var.emr_max_memory
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = 15
  }

  network_configuration {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.emr.id]
  }
}

resource "aws_cloudwatch_log_group" "spark" {
  name              = "/medlake/${var.name}/spark"
  retention_in_days = var.log_retention_days
  tags              = merge(local.tags, { Name = "${var.name}-spark" })
}
