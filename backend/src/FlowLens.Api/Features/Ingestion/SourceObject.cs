namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The ledger: one row per object version (source, key, etag) a source has found. Its state commits in the same
/// transaction as the object's flow rows, which is what makes ingestion exactly-once.
/// </summary>
public sealed class SourceObject
{
    public long Id { get; set; }
    public long SourceId { get; set; }
    public required string Key { get; set; }
    public required string ETag { get; set; }
    public long Size { get; set; }
    public DateTimeOffset? LastModified { get; set; }
    /// <summary><c>pending</c>, <c>ingested</c>, <c>failed</c>, or <c>replaced</c> (a newer etag took its place).</summary>
    public string State { get; set; } = ObjectStates.Pending;
    public long Records { get; set; }
    public long RejectedLines { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset DiscoveredAt { get; set; }
    /// <summary>When a job for it was last queued; a scheduled sync queues it again only once this is stale.</summary>
    public DateTimeOffset? QueuedAt { get; set; }
    public DateTimeOffset? IngestedAt { get; set; }
    /// <summary>The earliest <c>start</c> among the object's records.</summary>
    public DateTimeOffset? OldestRecordAt { get; set; }
    /// <summary>The latest <c>end</c> among the object's records.</summary>
    public DateTimeOffset? NewestRecordAt { get; set; }
    /// <summary>A few malformed lines with their reasons, for inspection.</summary>
    public List<BadLine> SampleErrors { get; set; } = [];
}

public sealed record BadLine(long Line, int Column, string? Field, string Reason, string Text);

public static class ObjectStates
{
    public const string Pending = "pending";
    public const string Ingested = "ingested";
    public const string Failed = "failed";
    public const string Replaced = "replaced";
}
