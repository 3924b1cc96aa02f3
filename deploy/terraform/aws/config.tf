# What the server tasks are configured with, as medlake.yaml keys. The same values reach the tasks
# as MEDLAKE_<KEY> environment variables (medlake's rule: MEDLAKE_ + the key upper-cased, dots and
# dashes as underscores, lists comma-separated) and are rendered as the medlake_yaml output for
# `medlake watch`, `medlake ingest` and the Spark job's --home. The tests in ../test check that
# every variable below is the variable of a key of medlake_config and carries its value, and that
# the rendered medlake.yaml (aws/examples/medlake.yaml) loads in medlake (TestTerraformExample).
locals {
  # the container's medlake home: tmp/ and the file cache on the task's ephemeral storage
  medlake_home = "/var/lib/medlake"

  database_url   = "jdbc:postgresql://${aws_db_instance.medlake.address}:${aws_db_instance.medlake.port}/${aws_db_instance.medlake.db_name}?sslmode=require"
  redis_url      = "rediss://${aws_elasticache_replication_group.medlake.primary_endpoint_address}:6379"
  file_cache_gib = floor(var.server_storage_gib * 0.8)

  # the load balancer's health checks come from the VPC; the metrics collector from the task itself
  server_allow_list        = concat(var.allowed_cidrs, [data.aws_vpc.selected.cidr_block, "127.0.0.1/32"])
  server_allow_list_csv    = join(",", local.server_allow_list)
  trusted_proxies          = ["127.0.0.1/32", data.aws_vpc.selected.cidr_block]
  trusted_proxies_csv      = join(",", local.trusted_proxies)
  # catalog = "glue": medlake's GlueCatalog (catalog.type glue) over the same warehouse, in the Glue
  # database Athena reads; catalog = "postgresql": its JdbcCatalog in the RDS database
  catalog_type             = var.catalog == "glue" ? "glue" : "jdbc"
  catalog_jdbc_url         = var.catalog == "postgresql" ? local.database_url : null
  catalog_jdbc_user        = var.catalog == "postgresql" ? local.database_user : null

  medlake_config = {
    catalog = {
      type      = local.catalog_type
      warehouse = "s3://${aws_s3_bucket.warehouse.id}/warehouse"
      jdbc-url  = local.catalog_jdbc_url
      jdbc-user = local.catalog_jdbc_user
      s3 = {
        region = var.region
      }
    }
    platform = {
      jdbc-url  = local.database_url
      jdbc-user = local.database_user
    }
    ingest = {
      # hospitals deliver <source>/<YYYY-MM>/<file>.csv[.gz] at the landing bucket's top; the
      # orchestrators' trigger (POST /api/v1/runs/trigger) lists the month there
      landing-location = "s3://${aws_s3_bucket.landing.id}"
    }
    query = {
      engine          = "embedded"
      redis-url       = local.redis_url
      file-cache-size = "${local.file_cache_gib}GB"
    }
    watch = {
      enabled      = true
      queue-url    = aws_sqs_queue.landing_events.url
      queue-region = var.region
    }
    server = {
      port            = local.server_port
      allow-list      = local.server_allow_list
      trusted-proxies = local.trusted_proxies
    }
  }

  server_environment = {
    MEDLAKE_CATALOG_TYPE            = local.catalog_type
    MEDLAKE_CATALOG_WAREHOUSE       = "s3://${aws_s3_bucket.warehouse.id}/warehouse"
    MEDLAKE_CATALOG_JDBC_URL        = local.catalog_jdbc_url
    MEDLAKE_CATALOG_JDBC_USER       = local.catalog_jdbc_user
    MEDLAKE_CATALOG_S3_REGION       = var.region
    MEDLAKE_PLATFORM_JDBC_URL       = local.database_url
    MEDLAKE_PLATFORM_JDBC_USER      = local.database_user
    MEDLAKE_INGEST_LANDING_LOCATION = "s3://${aws_s3_bucket.landing.id}"
    MEDLAKE_QUERY_ENGINE            = "embedded"
    MEDLAKE_QUERY_REDIS_URL         = local.redis_url
    MEDLAKE_QUERY_FILE_CACHE_SIZE   = "${local.file_cache_gib}GB"
    MEDLAKE_WATCH_ENABLED           = "true"
    MEDLAKE_WATCH_QUEUE_URL         = aws_sqs_queue.landing_events.url
    MEDLAKE_WATCH_QUEUE_REGION      = var.region
    MEDLAKE_SERVER_PORT             = local.server_port
    MEDLAKE_SERVER_ALLOW_LIST       = local.server_allow_list_csv
    MEDLAKE_SERVER_TRUSTED_PROXIES  = local.trusted_proxies_csv
  }
}
