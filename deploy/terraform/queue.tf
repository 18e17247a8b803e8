# S3 event notifications through SQS: FlowLens's workers long-poll the queue and read each object as it arrives,
# instead of listing the bucket (sources' s3.sqs). Off with sqs_notifications = false.

resource "aws_sqs_queue" "dead_letters" {
  count = var.sqs_notifications ? 1 : 0

  name                      = "${var.name}-flow-log-objects-dlq"
  message_retention_seconds = 1209600 # 14 days to look at what could not be ingested
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "objects" {
  count = var.sqs_notifications ? 1 : 0

  name                       = "${var.name}-flow-log-objects"
  visibility_timeout_seconds = 300 # FlowLens extends it while a large object loads
  receive_wait_time_seconds  = 20
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  # A message whose object cannot be ingested (its reason is in FlowLens's ledger) goes aside after 5 tries.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters[0].arn
    maxReceiveCount     = 5
  })
}

# Only this bucket's event notifications may be sent to the queue.
data "aws_iam_policy_document" "queue" {
  count = var.sqs_notifications ? 1 : 0

  statement {
    sid       = "BucketNotifications"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.objects[0].arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.flow_logs.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "objects" {
  count = var.sqs_notifications ? 1 : 0

  queue_url = aws_sqs_queue.objects[0].id
  policy    = data.aws_iam_policy_document.queue[0].json
}

resource "aws_s3_bucket_notification" "flow_logs" {
  count = var.sqs_notifications ? 1 : 0

  bucket = aws_s3_bucket.flow_logs.id

  queue {
    queue_arn     = aws_sqs_queue.objects[0].arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = local.logs_prefix
  }

  # S3 sends a test event when the notification is made: the queue policy must let it through already.
  depends_on = [aws_sqs_queue_policy.objects]
}

# FlowLens receives, extends and deletes the queue's messages; it sends none.
resource "aws_iam_role_policy" "queue" {
  count = var.sqs_notifications ? 1 : 0

  name = "receive-flow-log-notifications"
  role = aws_iam_role.flowlens.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReceiveNotifications"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      Resource = aws_sqs_queue.objects[0].arn
    }]
  })
}
