# The shared query result cache (query.redis-url), reachable from the server tasks only, encrypted
# at rest and in transit (rediss://).

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis from the server tasks only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-redis" })
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_server" {
  security_group_id            = aws_security_group.redis.id
  referenced_security_group_id = aws_security_group.server.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "medlake server tasks"
  tags                         = local.tags
}

resource "aws_elasticache_subnet_group" "medlake" {
  name       = "${var.name}-redis"
  subnet_ids = var.private_subnet_ids
  tags       = merge(local.tags, { Name = "${var.name}-redis" })
}

resource "aws_elasticache_replication_group" "medlake" {
  replication_group_id       = "${var.name}-cache"
  description                = "medlake query result cache"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.redis_node_type
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.medlake.name
  security_group_ids         = [aws_security_group.redis.id]
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.medlake.arn
  transit_encryption_enabled = true
  tags                       = merge(local.tags, { Name = "${var.name}-cache" })
}
