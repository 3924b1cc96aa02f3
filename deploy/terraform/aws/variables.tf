variable "name" {
  description = "Prefix of every name this module creates (buckets get the account id appended, so they are globally unique)."
  type        = string
  default     = "medlake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of every resource, e.g. eu-central-1."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource, next to Project=medlake and Name."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "The VPC the server, the database, Redis and the EMR Serverless application run in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two availability zones) for the server tasks, the database, Redis and EMR Serverless; they need a route to S3 (gateway endpoint) and to SQS, Secrets Manager, ECR and CloudWatch (NAT or interface endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids must name at least two subnets (RDS and the load balancer need two availability zones)."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two availability zones) for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must name at least two subnets."
  }
}

variable "allowed_cidrs" {
  description = "IPv4 CIDRs allowed to reach the server (the WAF IP allow-list, the load balancer's security group and server.allow-list); never 0.0.0.0/0."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for cidr in var.allowed_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "allowed_cidrs must be a non-empty list of IPv4 CIDRs, without 0.0.0.0/0."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the server's host name, for the load balancer's HTTPS listener."
  type        = string
}

variable "server_image" {
  description = "Container image of the medlake distribution: entry point the medlake launcher, the source mappings in /var/lib/medlake/sources/ (the home the tasks run with); e.g. 123456789012.dkr.ecr.eu-central-1.amazonaws.com/medlake:0.1.0."
  type        = string
}

variable "server_count" {
  description = "Number of server tasks behind the load balancer (sessions are per task: the target group keeps a browser on one task)."
  type        = number
  default     = 2

  validation {
    condition     = var.server_count >= 1
    error_message = "server_count must be at least 1."
  }
}

variable "server_cpu" {
  description = "CPU units of a server task (1024 = one vCPU)."
  type        = number
  default     = 2048
}

variable "server_memory" {
  description = "Memory of a server task in MiB (the JVM, DuckDB's query.memory-limit and the metrics sidecar)."
  type        = number
  default     = 8192
}

variable "server_storage_gib" {
  description = "Ephemeral storage of a server task in GiB: the home's tmp/ and the query file cache (query.file-cache-size is set to 80% of it)."
  type        = number
  default     = 100

  validation {
    condition     = var.server_storage_gib >= 21 && var.server_storage_gib <= 200
    error_message = "server_storage_gib must be between 21 and 200 (Fargate's limits)."
  }
}

variable "catalog" {
  description = "Where the Iceberg catalog lives: postgresql (medlake's JdbcCatalog in the RDS database, the default) or glue (medlake's GlueCatalog in the Glue database, which Athena reads as tables are committed)."
  type        = string
  default     = "postgresql"

  validation {
    condition     = contains(["postgresql", "glue"], var.catalog)
    error_message = "catalog must be postgresql or glue."
  }
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class of the catalog and platform database."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage_gib" {
  description = "RDS storage in GiB (it grows on its own up to ten times this)."
  type        = number
  default     = 50
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups (point-in-time recovery); back the warehouse bucket's versions up at least as long."
  type        = number
  default     = 14
}

variable "redis_node_type" {
  description = "ElastiCache node type of the shared query result cache."
  type        = string
  default     = "cache.t4g.small"
}

variable "emr_release_label" {
  description = "EMR Serverless release of the Spark application; medlake-spark needs Spark 4.1.x (Scala 2.13, Java 17)."
  type        = string
}

variable "emr_max_vcpu" {
  description = "Most vCPUs the EMR Serverless application may use at once (a cost ceiling), e.g. \"400 vCPU\"."
  type        = string
  default     = "400 vCPU"
}

variable "emr_max_memory" {
  description = "Most memory the EMR Serverless application may use at once, e.g. \"3000 GB\"."
  type        = string
  default     = "3000 GB"
}

variable "athena_bytes_scanned_cutoff" {
  description = "Athena cancels a query of the workgroup that scans more bytes than this (at least 10 MB); 1 TB by default, like the analyst budget."
  type        = number
  default     = 1099511627776

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10485760 (10 MB, Athena's minimum)."
  }
}

variable "warehouse_infrequent_access_days" {
  description = "Days after which warehouse objects (old months' Parquet files and metadata) move to S3 Standard-IA."
  type        = number
  default     = 90

  validation {
    condition     = var.warehouse_infrequent_access_days >= 30
    error_message = "warehouse_infrequent_access_days must be at least 30 (S3 moves objects to Standard-IA after 30 days at the earliest)."
  }
}

variable "warehouse_glacier_ir_days" {
  description = "Days after which warehouse objects move to S3 Glacier Instant Retrieval (still readable by queries at once)."
  type        = number
  default     = 365
}

variable "landing_infrequent_access_days" {
  description = "Days after which delivered files in the landing bucket move to S3 Standard-IA."
  type        = number
  default     = 30

  validation {
    condition     = var.landing_infrequent_access_days >= 30
    error_message = "landing_infrequent_access_days must be at least 30 (S3 moves objects to Standard-IA after 30 days at the earliest)."
  }
}

variable "landing_glacier_ir_days" {
  description = "Days after which delivered files move to S3 Glacier Instant Retrieval (a held run's file can still be approved and re-read)."
  type        = number
  default     = 180
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object's previous version is kept (the backup window of both buckets)."
  type        = number
  default     = 35

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the server's, the metrics collector's and the Spark job's logs."
  type        = number
  default     = 90
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (failed and held runs, undeliverable notifications); empty for none."
  type        = string
  default     = ""
}
