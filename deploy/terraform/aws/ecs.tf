# The server (`medlake serve`, with the watcher on: watch.enabled) on ECS Fargate behind an
# internet-facing ALB whose WAF admits var.allowed_cidrs only. medlake listens on 127.0.0.1 only,
# so each task has a reverse proxy (nginx) on proxy_port that the load balancer reaches and that
# forwards to it with X-Forwarded-For (server.trusted-proxies), and an OpenTelemetry collector
# (ADOT) that scrapes /metrics on 127.0.0.1 and publishes the runs counters to CloudWatch for the
# alarms (alarms.tf).

locals {
  proxy_port = 8081
  proxy_conf = <<-NGINX
    server {
      listen ${local.proxy_port};
      client_max_body_size 0;
      location = /metrics { return 404; }
      location / {
        proxy_pass http://127.0.0.1:${local.server_port};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
        proxy_read_timeout 3600s;
        proxy_buffering off;
      }
    }
  NGINX

  metrics_namespace = "medlake"
  collector_config  = <<-YAML
    receivers:
      prometheus:
        config:
          scrape_configs:
            - job_name: medlake
              scrape_interval: 60s
              metrics_path: /metrics
              static_configs:
                - targets: ["127.0.0.1:${local.metrics_port}"]
    exporters:
      awsemf:
        namespace: ${local.metrics_namespace}
        log_group_name: /medlake/${var.name}/metrics
        region: ${var.region}
        dimension_rollup_option: NoDimensionRollup
        metric_declarations:
          - dimensions: [[status]]
            metric_name_selectors: ["^medlake_ingest_runs_total$"]
          - dimensions: [[]]
            metric_name_selectors: ["^medlake_deliveries_missing$"]
    service:
      pipelines:
        metrics:
          receivers: [prometheus]
          exporters: [awsemf]
  YAML
}

resource "aws_ecs_cluster" "medlake" {
  name = var.name
  tags = merge(local.tags, { Name = var.name })

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "server" {
  name              = "/medlake/${var.name}/server"
  retention_in_days = var.log_retention_days
  tags              = merge(local.tags, { Name = "${var.name}-server" })
}

resource "aws_cloudwatch_log_group" "metrics" {
  name              = "/medlake/${var.name}/metrics"
  retention_in_days = var.log_retention_days
  tags              = merge(local.tags, { Name = "${var.name}-metrics" })
}

resource "aws_ecs_task_definition" "server" {
  family                   = "${var.name}-server"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.server_cpu
  memory                   = var.server_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.server.arn
  tags                     = merge(local.tags, { Name = "${var.name}-server" })

  ephemeral_storage {
    size_in_gib = var.server_storage_gib
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name        = "medlake"
      image       = var.server_image
      essential   = true
      command     = ["--home", local.medlake_home, "serve"]
      environment = [for name, value in local.server_environment : { name = name, value = tostring(value) } if value != null]
      secrets = [
        { name = "MEDLAKE_CATALOG_PASSWORD", valueFrom = aws_secretsmanager_secret.database.arn },
        { name = "MEDLAKE_PLATFORM_PASSWORD", valueFrom = aws_secretsmanager_secret.database.arn },
        { name = "MEDLAKE_PSEUDONYM_KEY", valueFrom = aws_secretsmanager_secret.pseudonym_key.arn },
      ]
      readonlyRootFilesystem = false
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.server.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "medlake"
        }
      }
    },
    {
      name      = "proxy"
      image     = "public.ecr.aws/nginx/nginx:1.27-alpine"
      essential = true
      entryPoint = ["/bin/sh", "-c"]
      command = [
        "printf '%s' \"$PROXY_CONF\" > /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'"
      ]
      environment  = [{ name = "PROXY_CONF", value = local.proxy_conf }]
      portMappings = [{ containerPort = local.proxy_port, protocol = "tcp" }]
      dependsOn    = [{ containerName = "medlake", condition = "START" }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.server.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "proxy"
        }
      }
    },
    {
      name        = "metrics"
      image       = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
      essential   = false
      environment = [{ name = "AOT_CONFIG_CONTENT", value = local.collector_config }]
      dependsOn   = [{ containerName = "medlake", condition = "START" }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.metrics.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "collector"
        }
      }
    },
  ])
}

resource "aws_security_group" "server" {
  name        = "${var.name}-server"
  description = "medlake server tasks: the proxy port from the load balancer only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-server" })
}

resource "aws_vpc_security_group_ingress_rule" "server_from_alb" {
  security_group_id            = aws_security_group.server.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = local.proxy_port
  to_port                      = local.proxy_port
  description                  = "the load balancer"
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "server_all" {
  security_group_id = aws_security_group.server.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "S3, SQS, the database, Redis, AWS APIs"
  tags              = local.tags
}

resource "aws_ecs_service" "server" {
  name                   = "${var.name}-server"
  cluster                = aws_ecs_cluster.medlake.id
  task_definition        = aws_ecs_task_definition.server.arn
  desired_count          = var.server_count
  launch_type            = "FARGATE"
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  # the JVM, the database migrations and the first table load come before /health answers
  health_check_grace_period_seconds = 180
  tags                   = merge(local.tags, { Name = "${var.name}-server" })

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.server.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.server.arn
    container_name   = "proxy"
    container_port   = local.proxy_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.https]
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "medlake load balancer: HTTPS (and HTTP, redirected) from allowed_cidrs"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(var.allowed_cidrs)
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS from an allowed network"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each          = toset(var.allowed_cidrs)
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  description       = "HTTP from an allowed network (redirected to HTTPS)"
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_server" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.server.id
  ip_protocol                  = "tcp"
  from_port                    = local.proxy_port
  to_port                      = local.proxy_port
  description                  = "the server tasks' proxy"
  tags                         = local.tags
}

resource "aws_lb" "server" {
  name                       = "${var.name}-server"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  idle_timeout               = 3600
  tags                       = merge(local.tags, { Name = "${var.name}-server" })
}

resource "aws_lb_target_group" "server" {
  name        = "${var.name}-server"
  port        = local.proxy_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-server" })

  health_check {
    path                = "/health"
    matcher             = "200"
    interval            = 30
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  # sessions live in the task that created them
  stickiness {
    type            = "lb_cookie"
    cookie_duration = 28800
    enabled         = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.server.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  tags              = merge(local.tags, { Name = "${var.name}-https" })

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.server.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.server.arn
  port              = 80
  protocol          = "HTTP"
  tags              = merge(local.tags, { Name = "${var.name}-http" })

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

# WAF: everything outside var.allowed_cidrs is blocked before it reaches the load balancer's
# targets; the security group repeats the rule one layer down.
resource "aws_wafv2_ip_set" "allowed" {
  name               = "${var.name}-allowed"
  description        = "networks allowed to reach medlake"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.allowed_cidrs
  tags               = merge(local.tags, { Name = "${var.name}-allowed" })
}

resource "aws_wafv2_web_acl" "server" {
  name        = "${var.name}-server"
  description = "medlake: allowed networks only"
  scope       = "REGIONAL"
  tags        = merge(local.tags, { Name = "${var.name}-server" })

  default_action {
    block {}
  }

  rule {
    name     = "allowed-networks"
    priority = 0

    action {
      allow {}
    }

    statement {
      ip_set_reference_statement {
        arn = aws_wafv2_ip_set.allowed.arn
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-allowed-networks"
      sampled_requests_enabled   = false
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-server"
    sampled_requests_enabled   = false
  }
}

resource "aws_wafv2_web_acl_association" "server" {
  resource_arn = aws_lb.server.arn
  web_acl_arn  = aws_wafv2_web_acl.server.arn
}
