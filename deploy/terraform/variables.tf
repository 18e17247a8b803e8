variable "region" {
  description = "The AWS region of the VPCs and of the flow log bucket."
  type        = string
}

variable "name" {
  description = "Prefix of the names of what this makes (bucket, role)."
  type        = string
  default     = "flowlens"
}

variable "tags" {
  description = "Tags on everything this makes."
  type        = map(string)
  default     = {}
}

# --- Flow logs

variable "vpc_ids" {
  description = "The VPCs whose flow logs are delivered to the bucket."
  type        = list(string)
}

variable "traffic_type" {
  description = "The traffic logged: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.traffic_type)
    error_message = "traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "file_format" {
  description = "The objects' format: plain-text (gzip text, .log.gz) or parquet. FlowLens reads both."
  type        = string
  default     = "plain-text"

  validation {
    condition     = contains(["plain-text", "parquet"], var.file_format)
    error_message = "file_format must be plain-text or parquet."
  }
}

variable "hive_compatible_partitions" {
  description = "Hive-compatible key prefixes (AWSLogs/aws-account-id=.../aws-service=vpcflowlogs/...). FlowLens reads both layouts."
  type        = bool
  default     = false
}

variable "per_hour_partition" {
  description = "One key prefix per hour instead of per day."
  type        = bool
  default     = false
}

variable "max_aggregation_interval" {
  description = "Seconds over which a flow is aggregated into one record: 60 or 600."
  type        = number
  default     = 600

  validation {
    condition     = contains([60, 600], var.max_aggregation_interval)
    error_message = "max_aggregation_interval must be 60 or 600."
  }
}

variable "log_format" {
  description = "The record format. The default is every field of versions 2 to 8, all of which FlowLens stores; fields that do not apply to a resource are written as '-'."
  type        = string
  # $${...} is Terraform's escape for a literal ${...}.
  default = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${vpc-id} $${subnet-id} $${instance-id} $${tcp-flags} $${type} $${pkt-srcaddr} $${pkt-dstaddr} $${region} $${az-id} $${sublocation-type} $${sublocation-id} $${pkt-src-aws-service} $${pkt-dst-aws-service} $${flow-direction} $${traffic-path} $${ecs-cluster-arn} $${ecs-cluster-name} $${ecs-container-instance-arn} $${ecs-container-instance-id} $${ecs-container-id} $${ecs-second-container-id} $${ecs-service-name} $${ecs-task-definition-arn} $${ecs-task-arn} $${ecs-task-id} $${reject-reason}"
}

# --- The bucket

variable "bucket_name" {
  description = "The bucket made for the flow logs; null: <name>-flow-logs-<account id>."
  type        = string
  default     = null
}

variable "bucket_prefix" {
  description = "A folder in the bucket before AWSLogs/, without leading or trailing slash; empty: none."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.bucket_prefix, "/") && !endswith(var.bucket_prefix, "/")
    error_message = "bucket_prefix must not start or end with a slash."
  }
}

variable "kms_key_arn" {
  description = "A customer-managed KMS key to encrypt the objects with; null: SSE-S3. Its key policy must let delivery.logs.amazonaws.com use it (README)."
  type        = string
  default     = null
}

variable "expiration_days" {
  description = "Days after which flow log objects are deleted from the bucket; null: kept."
  type        = number
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with its objects."
  type        = bool
  default     = false
}

# --- The role FlowLens reads with

variable "trusted_principal_arns" {
  description = "IAM principals (FlowLens's own role, in this or another account) that may assume the role; FlowLens then names it in the source's roleArn."
  type        = list(string)
  default     = []
}

variable "external_id" {
  description = "An sts:ExternalId the principals above must give (the source's externalId); null: none."
  type        = string
  default     = null
}

variable "eks_oidc_provider_arn" {
  description = "IRSA: the EKS cluster's OIDC provider ARN; its service account below may assume the role with web identity."
  type        = string
  default     = null
}

variable "eks_namespace" {
  description = "IRSA: the namespace FlowLens runs in."
  type        = string
  default     = "flowlens"
}

variable "eks_service_account" {
  description = "IRSA: FlowLens's service account (the Helm chart's default is the release's full name)."
  type        = string
  default     = "flowlens"
}

variable "cloudwatch_log_group_arns" {
  description = "CloudWatch Logs log groups of flow logs FlowLens may also read (cloudwatch sources); empty: none."
  type        = list(string)
  default     = []
}

variable "inventory" {
  description = "Let FlowLens read the account's AWS inventory (read-only ec2:Describe* calls) to name addresses; false: flows only."
  type        = bool
  default     = true
}

variable "sqs_notifications" {
  description = "Send the bucket's object-created notifications to an SQS queue that FlowLens reads (with a dead-letter queue); false: FlowLens lists the bucket."
  type        = bool
  default     = true
}

variable "source_name" {
  description = "The name of the FlowLens source in the source_body output."
  type        = string
  default     = "vpc-flow-logs"
}
