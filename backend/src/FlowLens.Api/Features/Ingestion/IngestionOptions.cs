using System.ComponentModel.DataAnnotations;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>Where sources may read from (<c>FlowLens:Sources</c>).</summary>
public sealed class SourcesOptions
{
    public const string Section = "FlowLens:Sources";

    /// <summary>Folders under which a <c>directory</c> source may read; none means no directory sources.</summary>
    public List<string> DirectoryRoots { get; set; } = [];

    /// <summary>Base URLs (<c>http://127.0.0.1:9000</c>; no port: every port) a source's serviceUrl may name besides AWS's own domains.</summary>
    public List<string> AllowedEndpoints { get; set; } = [];

    /// <summary>List requests (S3) or pages (CloudWatch) one run of a source makes at most; the next run goes on.</summary>
    [Range(1, 10_000_000)]
    public int MaxListPagesPerRun { get; set; } = 10_000;

    /// <summary>How long one run of a source lists or pages at most (<c>00:30:00</c>); the next run goes on.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxListTimePerRun { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// CloudWatch Logs requests this process sends per second to one endpoint (region) at most, all sources
    /// together: the service's quotas are per account and region, and one source must not starve the others.
    /// </summary>
    [Range(0.1, 1000)]
    public double CloudWatchRequestsPerSecond { get; set; } = 5;
}

/// <summary>How long flow rows are kept (<c>FlowLens:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "FlowLens:Retention";

    /// <summary>Days of flows to keep; older daily partitions are dropped.</summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 30;

    /// <summary>Days of rollups (5-minute totals, top summaries) to keep: at least <see cref="Days"/>, so trends outlive the flows.</summary>
    [Range(1, 36500)]
    public int RollupDays { get; set; } = 400;
}

/// <summary>
/// Bounds on the work one object or event may cause (<c>FlowLens:Ingestion</c>): whoever can write to the bucket,
/// folder or log group chooses the sizes. An object past a limit fails with the reason and stores nothing.
/// </summary>
public sealed class IngestionOptions
{
    public const string Section = "FlowLens:Ingestion";

    /// <summary>Bytes of one object as listed, and once decompressed (Parquet: as its footer declares them).</summary>
    [Range(typeof(long), "1048576", "1099511627776")]
    public long MaxObjectBytes { get; set; } = FlowLogLimits.Default.MaxObjectBytes;

    /// <summary>Lines (good and bad) or Parquet rows in one object.</summary>
    [Range(typeof(long), "1000", "2000000000")]
    public long MaxRecordsPerObject { get; set; } = FlowLogLimits.Default.MaxRecordsPerObject;

    /// <summary>Bytes in one line or CloudWatch event; a longer one is a rejected line.</summary>
    [Range(1024, 16 << 20)]
    public int MaxLineLength { get; set; } = FlowLogLimits.Default.MaxLineLength;

    /// <summary>Rows in one Parquet row group (read into memory whole); a file with a bigger group fails.</summary>
    [Range(1000, 50_000_000)]
    public int MaxParquetRowGroupRows { get; set; } = FlowLogLimits.Default.MaxParquetRowGroupRows;

    /// <summary>Text values (ids, ARNs) whose flow_strings id each process keeps in memory; up to twice as many in passing.</summary>
    [Range(1000, 10_000_000)]
    public int StringCacheSize { get; set; } = 100_000;

    /// <summary>
    /// Seconds a message received from a source's queue stays hidden from other workers; extended every third of it
    /// while its objects load, so a crashed worker's messages come back after at most this long.
    /// </summary>
    [Range(5, 43200)]
    public int QueueVisibilitySeconds { get; set; } = 300;

    /// <summary>Seconds each receive from a source's queue waits for messages (SQS long polling); 0 asks once a second instead.</summary>
    [Range(0, 20)]
    public int QueueWaitSeconds { get; set; } = 20;

    /// <summary>Queue messages one process handles at once (each loads its objects one after another).</summary>
    [Range(1, 64)]
    public int QueueParallelism { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Bytes of one Firehose request's JSON, as sent and once its gzip is undone; a longer one is answered 413. Firehose's
    /// largest buffer (64 MiB of records, a third more in base64) fits the default.
    /// </summary>
    [Range(typeof(long), "1048576", "1073741824")]
    public long FirehoseMaxRequestBytes { get; set; } = 128L << 20;

    public FlowLogLimits Limits => new()
    {
        MaxObjectBytes = MaxObjectBytes,
        MaxRecordsPerObject = MaxRecordsPerObject,
        MaxLineLength = MaxLineLength,
        MaxParquetRowGroupRows = MaxParquetRowGroupRows,
    };
}
