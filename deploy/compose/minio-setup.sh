#!/bin/sh
# One-shot of docker-compose.yml (minio/mc image): makes the demo bucket, copies the synthetic flow logs into it and
# gives FlowLens a MinIO account that may only list the bucket and read its objects. Every step keeps what exists,
# so a second `docker compose up` runs it again harmlessly.
set -eu

mc alias set demo http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "demo/$DEMO_BUCKET"
# The files lie under /demo/AWSLogs/..., so the keys follow AWS's layout: AWSLogs/{account}/vpcflowlogs/{region}/yyyy/mm/dd/.
mc mirror --overwrite /demo "demo/$DEMO_BUCKET"

# The same least privilege as on AWS (README, IAM permissions): s3:ListBucket on the bucket, s3:GetObject on its objects.
printf '%s' '{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::'"$DEMO_BUCKET"'"]},
  {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::'"$DEMO_BUCKET"'/*"]}]}' > /tmp/flowlens-read.json
mc admin policy create demo flowlens-read /tmp/flowlens-read.json
mc admin user add demo "$FLOWLENS_S3_ACCESS_KEY" "$FLOWLENS_S3_SECRET_KEY"
# `policy attach` fails when the policy is attached already (a second run), and the image has no grep.
case "$(mc admin user info demo "$FLOWLENS_S3_ACCESS_KEY")" in
  *flowlens-read*) echo "flowlens-read is attached to $FLOWLENS_S3_ACCESS_KEY already." ;;
  *) mc admin policy attach demo flowlens-read --user "$FLOWLENS_S3_ACCESS_KEY" ;;
esac
