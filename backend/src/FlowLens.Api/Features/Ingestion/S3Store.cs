using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// An S3 bucket in AWS's delivery layout: <c>{prefix}{account}/vpcflowlogs/{region}/yyyy/mm/dd/[HH/]</c> or its
/// Hive-compatible form. Each run lists, per account and region, only the keys from the checkpoint's day on
/// (ListObjectsV2 with StartAfter); the checkpoint trails the newest day seen by one day, for late deliveries.
/// </summary>
public sealed partial class S3Store : IObjectStore
{
    private readonly AmazonS3Client _client;
    private readonly S3Settings _settings;
    private readonly SourceClients _clients;
    private readonly ILogger _logger;

    public S3Store(S3Settings settings, SourceClients clients, ILogger logger)
    {
        (_settings, _clients, _logger) = (settings, clients, logger);
        _client = clients.S3(settings);
    }

    /// <summary>
    /// Lists within the run's <see cref="ListBudget"/>. A run that spends it keeps its day and adds the last key
    /// listed (<c>yyyy-MM-dd|key</c>): the next run skips the prefixes listed whole and goes on after that key.
    /// </summary>
    public async Task<(IReadOnlyList<StoredObject> Objects, string? Checkpoint)> ListAsync(string? checkpoint, CancellationToken ct)
    {
        var parts = (checkpoint ?? "").Split('|', 2);
        var since = parts[0].Length == 0 ? (DateOnly?)null : DateOnly.ParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var resumeAfter = parts.Length == 2 ? parts[1] : null;
        var budget = _clients.ListBudget();
        var objects = new List<StoredObject>();
        DateOnly? newest = null;
        string? listedTo = null;
        foreach (var logs in await LogPrefixesAsync(budget, ct))
        {
            var resumesHere = resumeAfter?.StartsWith(logs.Prefix, StringComparison.Ordinal) == true;
            if (resumeAfter is not null && !resumesHere && string.CompareOrdinal(logs.Prefix, resumeAfter) < 0)
            {
                continue; // listed whole by the run that stopped
            }
            var request = new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = logs.Prefix };
            if (since is { } day)
            {
                request.StartAfter = logs.Prefix + (logs.Hive ? $"year={day:yyyy}/month={day:MM}/day={day:dd}" : $"{day:yyyy}/{day:MM}/{day:dd}");
            }
            if (resumesHere && string.CompareOrdinal(resumeAfter, request.StartAfter) > 0)
            {
                request.StartAfter = resumeAfter;
            }
            do
            {
                if (!budget.TryTake())
                {
                    break;
                }
                var page = await _client.ListObjectsV2Async(request, ct);
                foreach (var o in page.S3Objects ?? [])
                {
                    if (!FlowLogFiles.IsFlowLog(o.Key))
                    {
                        continue;
                    }
                    objects.Add(new StoredObject(o.Key, o.ETag.Trim('"'), o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.UtcNow));
                    if (DayOf(o.Key) is { } d && (newest is null || d > newest))
                    {
                        newest = d;
                    }
                }
                request.ContinuationToken = page.NextContinuationToken;
                // Listed to here: the last key of the page, or past every key under the prefix once it is done.
                listedTo = page.NextContinuationToken is null ? PastPrefix(logs.Prefix) : page.S3Objects?.LastOrDefault()?.Key ?? listedTo;
            }
            while (request.ContinuationToken is not null);
        }
        if (budget.Spent)
        {
            _logger.LogWarning("Bucket {Bucket}: listing stopped at the run's limit ({Budget}, FlowLens:Sources:MaxListPagesPerRun, MaxListTimePerRun); the next run goes on after {Key}",
                _settings.Bucket, budget, listedTo ?? resumeAfter);
            return (objects, listedTo is null ? checkpoint : $"{parts[0]}|{listedTo}");
        }
        var next = newest is { } n ? n.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : parts[0].Length == 0 ? null : parts[0];
        return (objects, next);
    }

    /// <summary>
    /// The account/region prefixes under the source's prefix, found by skip-scanning: one one-key listing per
    /// prefix, each starting after the previous prefix (no delimiter listing, which some S3-compatible stores lack).
    /// </summary>
    private async Task<List<(string Prefix, bool Hive)>> LogPrefixesAsync(ListBudget budget, CancellationToken ct)
    {
        var result = new List<(string, bool)>();
        string? after = null;
        while (budget.TryTake())
        {
            var page = await _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _settings.Bucket,
                Prefix = _settings.Prefix ?? "",
                StartAfter = after,
                MaxKeys = 1,
            }, ct);
            var key = page.S3Objects?.FirstOrDefault()?.Key;
            if (key is null)
            {
                return result;
            }
            var match = RegionPrefixOf().Match(key);
            if (!match.Success)
            {
                after = key; // not in the flow log layout: step over it
                continue;
            }
            var prefix = match.Groups[1].Value;
            result.Add((prefix, prefix.Contains("aws-region=", StringComparison.Ordinal)));
            after = PastPrefix(prefix);
        }
        return result;
    }

    /// <summary>'0' sorts right after '/': a key that sorts after everything under <paramref name="prefix"/>.</summary>
    private static string PastPrefix(string prefix) => prefix[..^1] + "0";

    internal static DateOnly? DayOf(string key)
    {
        var match = DayInKey().Match(key);
        if (!match.Success)
        {
            return null;
        }
        var (y, m, d) = match.Groups[1].Success
            ? (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value)
            : (match.Groups[4].Value, match.Groups[5].Value, match.Groups[6].Value);
        return DateOnly.TryParseExact($"{y}-{m}-{d}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
    }

    public async Task<Stream> OpenAsync(string key, bool seekable, CancellationToken ct)
    {
        var response = await _client.GetObjectAsync(_settings.Bucket, key, ct);
        if (!seekable)
        {
            return response.ResponseStream;
        }
        // Parquet readers seek: copy the object to a temporary file that deletes itself when closed.
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (response.ResponseStream)
        {
            await response.ResponseStream.CopyToAsync(file, ct);
        }
        file.Position = 0;
        return file;
    }

    public void Dispose()
    {
        // The client is shared (see SourceClients).
    }

    [GeneratedRegex(@"^(.*?(?:/|^)(?:vpcflowlogs/[^/]+|aws-service=vpcflowlogs/aws-region=[^/]+)/)")]
    private static partial Regex RegionPrefixOf();

    [GeneratedRegex(@"/(\d{4})/(\d{2})/(\d{2})/|/year=(\d{4})/month=(\d{2})/day=(\d{2})/")]
    private static partial Regex DayInKey();
}
