using System.ComponentModel.DataAnnotations;

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
}
