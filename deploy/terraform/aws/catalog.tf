# The catalog and platform database (RDS PostgreSQL), and the Glue database Athena reads the
# Iceberg tables through. With catalog = "postgresql" medlake's JdbcCatalog lives in the RDS
# database (catalog.jdbc-url) next to the platform tables (platform.jdbc-url: users, tokens, run
# ledger, audit, link vault; their table names do not overlap the catalog's iceberg_* tables).
# With catalog = "glue" medlake keeps its tables in the Glue database instead (catalog.type glue,
# Iceberg's GlueCatalog), where Athena reads them as they are committed; the RDS database then
# holds the platform tables only.

resource "aws_security_group" "database" {
  name        = "${var.name}-database"
  description = "PostgreSQL from the server tasks and the EMR Serverless job only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-database" })
}

resource "aws_vpc_security_group_ingress_rule" "database_from_server" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.server.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "medlake server tasks"
  tags                         = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "database_from_emr" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.emr.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "medlake Spark job on EMR Serverless"
  tags                         = local.tags
}

resource "aws_db_subnet_group" "medlake" {
  name       = "${var.name}-database"
  subnet_ids = var.private_subnet_ids
  tags       = merge(local.tags, { Name = "${var.name}-database" })
}

resource "random_password" "database" {
  length  = 40
  special = false
}

# The password reaches the tasks as MEDLAKE_CATALOG_PASSWORD and MEDLAKE_PLATFORM_PASSWORD from
# this secret; it is also in the Terraform state, so keep the state in an encrypted backend.
resource "aws_secretsmanager_secret" "database" {
  name       = "${var.name}/database-password"
  kms_key_id = aws_kms_key.medlake.arn
  tags       = merge(local.tags, { Name = "${var.name}-database-password" })
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id     = aws_secretsmanager_secret.database.id
  secret_string = random_password.database.result
}

# The pseudonym key (MEDLAKE_PSEUDONYM_KEY): created empty; put the key in it once, and keep it with
# the database's backups (without it next month's patients get new surrogate keys).
resource "aws_secretsmanager_secret" "pseudonym_key" {
  name       = "${var.name}/pseudonym-key"
  kms_key_id = aws_kms_key.medlake.arn
  tags       = merge(local.tags, { Name = "${var.name}-pseudonym-key" })
}

resource "aws_db_parameter_group" "medlake" {
  name   = "${var.name}-postgres16"
  family = "postgres16"
  tags   = merge(local.tags, { Name = "${var.name}-postgres16" })

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_db_instance" "medlake" {
  identifier                      = "${var.name}-database"
  engine                          = "postgres"
  engine_version                  = "16"
  instance_class                  = var.db_instance_class
  allocated_storage               = var.db_allocated_storage_gib
  max_allocated_storage           = var.db_allocated_storage_gib * 10
  storage_type                    = "gp3"
  storage_encrypted               = true
  kms_key_id                      = aws_kms_key.medlake.arn
  db_name                         = local.database_name
  username                        = local.database_user
  password                        = random_password.database.result
  db_subnet_group_name            = aws_db_subnet_group.medlake.name
  parameter_group_name            = aws_db_parameter_group.medlake.name
  vpc_security_group_ids          = [aws_security_group.database.id]
  publicly_accessible             = false
  multi_az                        = true
  backup_retention_period         = var.db_backup_retention_days
  deletion_protection             = true
  copy_tags_to_snapshot           = true
  skip_final_snapshot             = false
  final_snapshot_identifier       = "${var.name}-database-final"
  auto_minor_version_upgrade      = true
  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.medlake.arn
  tags                            = merge(local.tags, { Name = "${var.name}-database" })
}

resource "aws_glue_catalog_database" "medlake" {
  name        = local.database_name
  description = "medlake's Iceberg tables (lab_results, lab_results_rejects): with catalog = glue the catalog itself, which Athena reads"
  tags        = merge(local.tags, { Name = local.database_name })
}
