output "server_url" {
  description = "Where users reach medlake: the load balancer's HTTPS address (point the certificate's host name at alb_dns_name)."
  value       = "https://${aws_lb.server.dns_name}"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer, for a CNAME or alias record of the certificate's host name."
  value       = aws_lb.server.dns_name
}

output "landing_bucket" {
  description = "Bucket hospitals deliver into, as <source>/<YYYY-MM>/<file>.csv[.gz]; every new object is announced to landing_queue_url."
  value       = aws_s3_bucket.landing.id
}

output "warehouse_bucket" {
  description = "Bucket of the Iceberg tables (prefix warehouse/) and of the Spark job's artifacts (prefix artifacts/)."
  value       = aws_s3_bucket.warehouse.id
}

output "warehouse_location" {
  description = "catalog.warehouse of medlake.yaml."
  value       = "s3://${aws_s3_bucket.warehouse.id}/warehouse"
}

output "landing_queue_url" {
  description = "watch.queue-url of medlake.yaml: the SQS queue of the landing bucket's ObjectCreated notifications."
  value       = aws_sqs_queue.landing_events.url
}

output "database_jdbc_url" {
  description = "platform.jdbc-url (and catalog.jdbc-url with catalog = postgresql) of medlake.yaml."
  value       = local.database_url
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret holding the database password (MEDLAKE_CATALOG_PASSWORD and MEDLAKE_PLATFORM_PASSWORD)."
  value       = aws_secretsmanager_secret.database.arn
}

output "pseudonym_key_secret_arn" {
  description = "Secrets Manager secret for MEDLAKE_PSEUDONYM_KEY: put the key in it before the first task starts."
  value       = aws_secretsmanager_secret.pseudonym_key.arn
}

output "redis_url" {
  description = "query.redis-url of medlake.yaml (TLS)."
  value       = local.redis_url
}

output "glue_database" {
  description = "Glue database Athena reads the Iceberg tables through."
  value       = aws_glue_catalog_database.medlake.name
}

output "athena_workgroup" {
  description = "Athena workgroup with the enforced bytes-scanned cutoff."
  value       = aws_athena_workgroup.medlake.name
}

output "athena_jdbc_url" {
  description = "query.jdbc.url for a server deployment that routes queries to Athena (query.engine: jdbc)."
  value       = "jdbc:awsathena://AwsRegion=${var.region};Workgroup=${aws_athena_workgroup.medlake.name};Catalog=AwsDataCatalog;Schema=${aws_glue_catalog_database.medlake.name}"
}

output "emr_application_id" {
  description = "EMR Serverless application to start the Spark job runs in."
  value       = aws_emrserverless_application.spark.id
}

output "spark_job_role_arn" {
  description = "Execution role of the Spark job runs (--execution-role-arn)."
  value       = aws_iam_role.spark.arn
}

output "spark_log_group" {
  description = "CloudWatch log group for the Spark job runs' logs."
  value       = aws_cloudwatch_log_group.spark.name
}

output "ecs_cluster" {
  description = "ECS cluster of the server service."
  value       = aws_ecs_cluster.medlake.name
}

output "alarm_topic_arn" {
  description = "SNS topic of the failed-run, held-run, dead-letter and Spark job alarms."
  value       = aws_sns_topic.alarms.arn
}

output "medlake_yaml" {
  description = "medlake.yaml for `medlake watch`, `medlake ingest`, `medlake doctor` and the Spark job's --home in this deployment: the server tasks' settings (they get them as MEDLAKE_* variables); passwords and the pseudonym key stay in the environment."
  value       = yamlencode(local.medlake_config)
}
