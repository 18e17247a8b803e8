output "role_arn" {
  description = "The read-only role: serviceAccount.roleArn of the Helm chart (IRSA), or the source's roleArn."
  value       = aws_iam_role.flowlens.arn
}

output "bucket" {
  description = "The flow log bucket."
  value       = aws_s3_bucket.flow_logs.bucket
}

output "prefix" {
  description = "The key prefix FlowLens lists under (the source's s3.prefix)."
  value       = local.logs_prefix
}

output "queue_url" {
  description = "The queue of the bucket's object-created notifications (null with sqs_notifications = false)."
  value       = var.sqs_notifications ? aws_sqs_queue.objects[0].url : null
}

output "dead_letter_queue_url" {
  description = "Where notifications go whose objects could not be ingested after 5 tries."
  value       = var.sqs_notifications ? aws_sqs_queue.dead_letters[0].url : null
}

output "flow_log_ids" {
  description = "The flow logs, by VPC."
  value       = { for vpc, flow_log in aws_flow_log.vpc : vpc => flow_log.id }
}

# With IRSA the pods are the role already: the source names no role. Otherwise FlowLens assumes it.
output "source_body" {
  description = "The JSON body of POST /api/sources that makes a FlowLens source for this bucket."
  value = jsonencode({
    name = var.source_name
    kind = "s3"
    s3 = {
      bucket         = aws_s3_bucket.flow_logs.bucket
      prefix         = local.logs_prefix
      region         = var.region
      roleArn        = var.eks_oidc_provider_arn == null ? aws_iam_role.flowlens.arn : null
      externalId     = var.eks_oidc_provider_arn == null ? var.external_id : null
      serviceUrl     = null
      forcePathStyle = false
      sqs = var.sqs_notifications ? {
        queueUrl    = aws_sqs_queue.objects[0].url
        region      = null
        roleArn     = null
        externalId  = null
        serviceUrl  = null
        listLastDay = false
      } : null
    }
  })
}
