# VPC flow logs delivered to an S3 bucket, and a read-only IAM role that FlowLens reads them with.

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  bucket     = coalesce(var.bucket_name, "${var.name}-flow-logs-${local.account_id}")
  folder     = var.bucket_prefix == "" ? "" : "${var.bucket_prefix}/"
  # AWS writes {folder}AWSLogs/{account}/vpcflowlogs/... (AWSLogs/aws-account-id={account}/... with Hive partitions).
  logs_prefix  = "${local.folder}AWSLogs/"
  account_path = var.hive_compatible_partitions ? "aws-account-id=${local.account_id}" : local.account_id
  # Log delivery acts for flow logs of this account and region only.
  delivery_source_arn = "arn:${local.partition}:logs:${var.region}:${local.account_id}:*"
  log_group_arns      = [for arn in var.cloudwatch_log_group_arns : trimsuffix(arn, ":*")]
}

# --- The bucket

resource "aws_s3_bucket" "flow_logs" {
  bucket        = local.bucket
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "flow_logs" {
  bucket                  = aws_s3_bucket.flow_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "flow_logs" {
  count  = var.expiration_days == null ? 0 : 1
  bucket = aws_s3_bucket.flow_logs.id

  rule {
    id     = "expire-flow-logs"
    status = "Enabled"

    filter {
      prefix = local.logs_prefix
    }

    expiration {
      days = var.expiration_days
    }
  }
}

# AWS's documented policy for flow log delivery (delivery.logs.amazonaws.com, limited by aws:SourceAccount and
# aws:SourceArn), and no access without TLS.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "AWSLogDeliveryWrite"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.flow_logs.arn}/${local.logs_prefix}${local.account_path}/*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.delivery_source_arn]
    }
  }

  statement {
    sid       = "AWSLogDeliveryAclCheck"
    actions   = ["s3:GetBucketAcl", "s3:ListBucket"]
    resources = [aws_s3_bucket.flow_logs.arn]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.delivery_source_arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.flow_logs.arn, "${aws_s3_bucket.flow_logs.arn}/*"]

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

resource "aws_s3_bucket_policy" "flow_logs" {
  bucket = aws_s3_bucket.flow_logs.id
  policy = data.aws_iam_policy_document.bucket.json

  # S3 refuses policy changes while it is still applying the public access block.
  depends_on = [aws_s3_bucket_public_access_block.flow_logs]
}

# --- The flow logs

resource "aws_flow_log" "vpc" {
  for_each = toset(var.vpc_ids)

  vpc_id                   = each.value
  traffic_type             = var.traffic_type
  log_destination_type     = "s3"
  log_destination          = var.bucket_prefix == "" ? aws_s3_bucket.flow_logs.arn : "${aws_s3_bucket.flow_logs.arn}/${var.bucket_prefix}"
  log_format               = var.log_format
  max_aggregation_interval = var.max_aggregation_interval

  destination_options {
    file_format                = var.file_format
    hive_compatible_partitions = var.hive_compatible_partitions
    per_hour_partition         = var.per_hour_partition
  }

  tags = {
    Name = "${var.name}-${each.value}"
  }

  # Without the bucket policy in place, AWS would write its own over it when the flow log is made.
  depends_on = [aws_s3_bucket_policy.flow_logs]
}

# --- The role FlowLens reads with

data "aws_iam_policy_document" "trust" {
  # FlowLens running elsewhere (another account, or outside EKS) assumes the role, with the external id if set.
  dynamic "statement" {
    for_each = length(var.trusted_principal_arns) > 0 ? [var.trusted_principal_arns] : []

    content {
      sid     = "FlowLensAssumesRole"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = statement.value
      }

      dynamic "condition" {
        for_each = var.external_id == null ? [] : [var.external_id]

        content {
          test     = "StringEquals"
          variable = "sts:ExternalId"
          values   = [condition.value]
        }
      }
    }
  }

  # FlowLens on EKS (IRSA): only its service account, through the cluster's OIDC provider.
  dynamic "statement" {
    for_each = var.eks_oidc_provider_arn == null ? [] : [split(":oidc-provider/", var.eks_oidc_provider_arn)[1]]

    content {
      sid     = "FlowLensOnEks"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [var.eks_oidc_provider_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "${statement.value}:sub"
        values   = ["system:serviceaccount:${var.eks_namespace}:${var.eks_service_account}"]
      }

      condition {
        test     = "StringEquals"
        variable = "${statement.value}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

# Read-only: list the flow log keys and read the objects; nothing else in the bucket.
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ListFlowLogs"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.flow_logs.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.logs_prefix}*"]
    }
  }

  statement {
    sid       = "ReadFlowLogs"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.flow_logs.arn}/${local.logs_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "DecryptFlowLogs"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = length(local.log_group_arns) > 0 ? [local.log_group_arns] : []

    content {
      sid       = "ReadLogGroups"
      actions   = ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents"]
      resources = concat(statement.value, [for arn in statement.value : "${arn}:*"])
    }
  }

  # DescribeLogGroups lists log group names; it cannot be limited to single log groups.
  dynamic "statement" {
    for_each = length(local.log_group_arns) > 0 ? [local.log_group_arns] : []

    content {
      sid       = "FindLogGroups"
      actions   = ["logs:DescribeLogGroups"]
      resources = distinct([for arn in statement.value : "${join(":", slice(split(":", arn), 0, 5))}:log-group:*"])
    }
  }

  # The AWS inventory that names addresses (docs/enrichment.md): read-only Describe calls, which EC2 does not
  # limit to resources, so "*".
  dynamic "statement" {
    for_each = var.inventory ? [1] : []

    content {
      sid = "DescribeInventory"
      actions = [
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeInstances",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeNatGateways",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeEgressOnlyInternetGateways",
        "ec2:DescribeTransitGatewayAttachments",
        "ec2:DescribeVpcPeeringConnections",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "flowlens" {
  name               = "${var.name}-reader"
  description        = "FlowLens reads VPC flow logs (read-only)."
  assume_role_policy = data.aws_iam_policy_document.trust.json

  lifecycle {
    precondition {
      condition     = length(var.trusted_principal_arns) > 0 || var.eks_oidc_provider_arn != null
      error_message = "Set trusted_principal_arns or eks_oidc_provider_arn: otherwise nothing may assume the role."
    }
  }
}

resource "aws_iam_role_policy" "read" {
  name   = "read-flow-logs"
  role   = aws_iam_role.flowlens.id
  policy = data.aws_iam_policy_document.read.json
}
