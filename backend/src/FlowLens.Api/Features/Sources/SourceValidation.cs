using Cronos;
using FlowLens.Api.Features.Ingestion;

namespace FlowLens.Api.Features.Sources;

/// <summary>What a client sends to create or replace a source.</summary>
/// <param name="Name">A unique name, e.g. <c>prod-vpc</c>.</param>
/// <param name="Kind"><c>s3</c>, <c>directory</c>, <c>cloudwatch</c> or <c>firehose</c>.</param>
/// <param name="Enabled">Whether the schedule runs (default true).</param>
/// <param name="Schedule">Cron expression, UTC (default every 5 minutes).</param>
/// <param name="S3">Settings of an <c>s3</c> source.</param>
/// <param name="Directory">Settings of a <c>directory</c> source.</param>
/// <param name="CloudWatch">Settings of a <c>cloudwatch</c> source.</param>
/// <param name="Firehose">Settings of a <c>firehose</c> source.</param>
/// <param name="Inventory">The AWS inventory of an <c>s3</c> or <c>cloudwatch</c> source's account (default on); <c>{"enabled": false}</c> turns it off.</param>
public sealed record SourceRequest(
    string? Name, string? Kind, bool? Enabled, string? Schedule, S3Settings? S3, DirectorySettings? Directory, CloudWatchSettings? CloudWatch = null,
    Ingestion.Inventory.InventorySettings? Inventory = null, FirehoseSettings? Firehose = null);

public static class SourceValidation
{
    /// <summary>Field errors, keyed by the JSON path of the field; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(SourceRequest request, SourcesOptions options, SourceEndpoints endpoints)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            Add("name", "A name of 1 to 100 characters is required.");
        }
        if (request.Schedule is { } schedule && !CronExpression.TryParse(schedule, out _))
        {
            Add("schedule", $"'{schedule}' is not a cron expression (five fields, e.g. */5 * * * *).");
        }
        switch (request.Kind)
        {
            case SourceKinds.S3:
                ValidateS3(request.S3, endpoints, Add);
                break;
            case SourceKinds.Directory:
                ValidateDirectory(request.Directory, options, Add);
                break;
            case SourceKinds.CloudWatch:
                ValidateCloudWatch(request.CloudWatch, endpoints, Add);
                break;
            case SourceKinds.Firehose:
                ValidateFirehose(request.Firehose, Add);
                break;
            default:
                Add("kind", "The kind must be s3, directory, cloudwatch or firehose.");
                break;
        }
        if (request.Inventory?.ServiceUrl is { } inventoryUrl && endpoints.Refusal(inventoryUrl) is { } refusal)
        {
            Add("inventory.serviceUrl", refusal);
        }
        return errors;
    }

    private static void ValidateS3(S3Settings? s3, SourceEndpoints endpoints, Action<string, string> add)
    {
        if (s3 is null)
        {
            add("s3", "An s3 source needs its s3 settings.");
            return;
        }
        if (s3.Bucket is not { Length: >= 3 and <= 63 })
        {
            add("s3.bucket", "A bucket name of 3 to 63 characters is required.");
        }
        if (s3.ServiceUrl is null ? !SourceEndpoints.IsRegion(s3.Region) : s3.Region is not null && !SourceEndpoints.IsRegion(s3.Region))
        {
            add("s3.region", "The bucket's region is required: an AWS region name (e.g. eu-west-1).");
        }
        ValidateAws("s3", s3.ServiceUrl, s3.RoleArn, endpoints, add);
        if (s3.Sqs is { } queue)
        {
            if (!Uri.TryCreate(queue.QueueUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
                || url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length != 2)
            {
                add("s3.sqs.queueUrl", "The queue's URL is required: https://sqs.{region}.amazonaws.com/{account}/{name}.");
            }
            if (queue.Region is not null && !SourceEndpoints.IsRegion(queue.Region))
            {
                add("s3.sqs.region", "The queue's region is an AWS region name (e.g. eu-west-1); without it, the bucket's.");
            }
            ValidateAws("s3.sqs", queue.ServiceUrl, queue.RoleArn, endpoints, add);
        }
    }

    private static void ValidateCloudWatch(CloudWatchSettings? cloudWatch, SourceEndpoints endpoints, Action<string, string> add)
    {
        if (cloudWatch is null)
        {
            add("cloudWatch", "A cloudwatch source needs its cloudWatch settings.");
            return;
        }
        if (cloudWatch.LogGroupName is not { Length: >= 1 and <= 512 })
        {
            add("cloudWatch.logGroupName", "A log group name of 1 to 512 characters is required (e.g. /vpc/flow-logs).");
        }
        if (!SourceEndpoints.IsRegion(cloudWatch.Region))
        {
            add("cloudWatch.region", "The log group's region is required: an AWS region name (e.g. eu-west-1).");
        }
        ValidateLogFormat("cloudWatch", cloudWatch.LogFormat, add);
        if (cloudWatch.LookbackMinutes is < 0 or > 1440)
        {
            add("cloudWatch.lookbackMinutes", "The look-back must be 0 to 1440 minutes.");
        }
        ValidateAws("cloudWatch", cloudWatch.ServiceUrl, cloudWatch.RoleArn, endpoints, add);
    }

    private static void ValidateFirehose(FirehoseSettings? firehose, Action<string, string> add)
    {
        if (firehose is null)
        {
            add("firehose", "A firehose source needs its firehose settings ({} for the v2 default format and a key made by FlowLens).");
            return;
        }
        ValidateLogFormat("firehose", firehose.LogFormat, add);
        // Firehose copies the key into a header as it is, up to 4,096 bytes; a short one could be guessed.
        if (firehose.AccessKey is { } key && (key.Length is < MinFirehoseKeyLength or > 4096 || key.Any(c => c is < ' ' or > '~')))
        {
            add("firehose.accessKey", $"An access key is {MinFirehoseKeyLength} to 4096 printable ASCII characters; leave it out for one made by FlowLens.");
        }
    }

    public const int MinFirehoseKeyLength = 32;

    /// <summary>A headerless source's format string, as the flow log's console or API shows it.</summary>
    private static void ValidateLogFormat(string prefix, string? format, Action<string, string> add)
    {
        if (format is not null && !FlowLens.Core.FlowLogs.FlowLogFormat.TryParse(format, out _, out var error))
        {
            add($"{prefix}.logFormat", $"Not a flow log format: {error}");
        }
    }

    /// <summary>The settings every AWS source has: another endpoint (AWS's or an allowed one), and a role to assume.</summary>
    private static void ValidateAws(string prefix, string? serviceUrl, string? roleArn, SourceEndpoints endpoints, Action<string, string> add)
    {
        if (serviceUrl is { } url && endpoints.Refusal(url) is { } refusal)
        {
            add($"{prefix}.serviceUrl", refusal);
        }
        if (roleArn is { } role && !role.StartsWith("arn:aws", StringComparison.Ordinal))
        {
            add($"{prefix}.roleArn", "The role must be an IAM role ARN (arn:aws:iam::123456789012:role/name).");
        }
    }

    private static void ValidateDirectory(DirectorySettings? directory, SourcesOptions options, Action<string, string> add)
    {
        if (directory is null || string.IsNullOrWhiteSpace(directory.Path) || !Path.IsPathFullyQualified(directory.Path))
        {
            add("directory.path", "An absolute folder path is required.");
            return;
        }
        // Real paths: a link under a root that leads out of every root is refused.
        var path = WithSeparator(RealOrFull(directory.Path));
        if (!options.DirectoryRoots.Any(root => path.StartsWith(WithSeparator(RealOrFull(root)), StringComparison.Ordinal)))
        {
            add("directory.path", "The folder must lie under one of FlowLens:Sources:DirectoryRoots.");
        }
    }

    private static string RealOrFull(string path) => Ingestion.DirectoryStore.RealPath(path) ?? Path.GetFullPath(path);

    private static string WithSeparator(string path) => path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;
}
