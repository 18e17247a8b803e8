namespace FlowLens.Api.Features.Ingestion;

/// <summary>Where flow logs come from, how often to look, and how the last run went.</summary>
public sealed class Source
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary><c>s3</c>, <c>directory</c>, <c>cloudwatch</c> or <c>firehose</c>.</summary>
    public required string Kind { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>Cron expression (UTC) of the sync schedule.</summary>
    public string Schedule { get; set; } = SourceKinds.DefaultSchedule;
    public S3Settings? S3 { get; set; }
    public DirectorySettings? Directory { get; set; }
    public CloudWatchSettings? CloudWatch { get; set; }
    public FirehoseSettings? Firehose { get; set; }
    /// <summary>The SHA-256 of a <c>firehose</c> source's access key: what identifies its requests.</summary>
    public byte[]? FirehoseKeyHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary><c>idle</c>, <c>running</c> or <c>failed</c>.</summary>
    public string State { get; set; } = SourceStates.Idle;
    public DateTimeOffset? LastRunStartedAt { get; set; }
    public DateTimeOffset? LastRunFinishedAt { get; set; }
    public string? LastError { get; set; }
    /// <summary>Where discovery resumes (S3: the day to list from; CloudWatch: the newest event time read, in Unix ms).</summary>
    public string? Checkpoint { get; set; }
}

/// <summary>An S3 bucket (or S3-compatible store) holding flow logs in AWS's delivery layout.</summary>
public sealed record S3Settings
{
    public string Bucket { get; init; } = "";
    /// <summary>Key prefix to list under, usually <c>AWSLogs/</c> (or a custom prefix before it).</summary>
    public string Prefix { get; init; } = "AWSLogs/";
    public string? Region { get; init; }
    /// <summary>A role to assume (another account's bucket), with its external id.</summary>
    public string? RoleArn { get; init; }
    public string? ExternalId { get; init; }
    /// <summary>An S3-compatible endpoint (MinIO, LocalStack).</summary>
    public string? ServiceUrl { get; init; }
    public bool ForcePathStyle { get; init; }
    /// <summary>An SQS queue fed by the bucket's event notifications: objects are found as they arrive, not by listing.</summary>
    public S3QueueSettings? Sqs { get; init; }
}

/// <summary>
/// An SQS queue that the bucket's S3 event notifications reach (directly, through SNS or through EventBridge). Every
/// worker long-polls it; the scheduled run then lists nothing, unless <see cref="ListLastDay"/> asks for a safety net.
/// </summary>
public sealed record S3QueueSettings
{
    /// <summary><c>https://sqs.{region}.amazonaws.com/{account}/{name}</c>.</summary>
    public string QueueUrl { get; init; } = "";
    /// <summary>The queue's region (default: the bucket's).</summary>
    public string? Region { get; init; }
    public string? RoleArn { get; init; }
    public string? ExternalId { get; init; }
    /// <summary>An SQS-compatible endpoint (ElasticMQ, LocalStack, a test server).</summary>
    public string? ServiceUrl { get; init; }
    /// <summary>Also list the last day's keys on the schedule, for notifications that never came (off by default).</summary>
    public bool ListLastDay { get; init; }
}

/// <summary>A folder on the FlowLens server holding flow log files (any tree; AWS's layout works).</summary>
public sealed record DirectorySettings
{
    public string Path { get; init; } = "";
}

/// <summary>A CloudWatch Logs log group that VPC flow logs are published to (one stream per ENI, no header line).</summary>
public sealed record CloudWatchSettings
{
    public string LogGroupName { get; init; } = "";
    public string? Region { get; init; }
    /// <summary>The flow log's format string (<c>${version} ${account-id} ...</c>); null for the v2 default.</summary>
    public string? LogFormat { get; init; }
    /// <summary>Where the first sync starts reading (default: a day before the source was created).</summary>
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>How far behind its checkpoint each sync reads again, for events that arrive late.</summary>
    public int LookbackMinutes { get; init; } = 20;
    public string? RoleArn { get; init; }
    public string? ExternalId { get; init; }
    /// <summary>Another endpoint (LocalStack, a test server).</summary>
    public string? ServiceUrl { get; init; }
}

/// <summary>
/// An Amazon Data Firehose stream whose HTTP endpoint destination is FlowLens (<c>POST /api/ingest/firehose</c>): its
/// requests arrive, nothing is fetched. Each request is stored once, by its request id.
/// </summary>
public sealed record FirehoseSettings
{
    /// <summary>The flow log's format string (<c>${version} ${account-id} ...</c>); null for the v2 default.</summary>
    public string? LogFormat { get; init; }
    /// <summary>
    /// The access key the stream sends in <c>X-Amz-Firehose-Access-Key</c> (at least 32 characters). Write-only: when
    /// a new source has none, FlowLens makes one and shows it in that response only; an update without it keeps the key.
    /// </summary>
    public string? AccessKey { get; init; }
    /// <summary>The access key's first characters, to tell keys apart (read-only).</summary>
    public string? AccessKeyPrefix { get; init; }
}

public static class SourceKinds
{
    public const string S3 = "s3";
    public const string Directory = "directory";
    public const string CloudWatch = "cloudwatch";
    public const string Firehose = "firehose";
    public const string DefaultSchedule = "*/5 * * * *";
}

public static class SourceStates
{
    public const string Idle = "idle";
    public const string Running = "running";
    public const string Failed = "failed";
}
