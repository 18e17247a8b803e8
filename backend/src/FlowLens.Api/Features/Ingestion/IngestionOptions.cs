using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>Where sources may read from (<c>FlowLens:Sources</c>).</summary>
public sealed class SourcesOptions
{
    public const string Section = "FlowLens:Sources";

    /// <summary>Folders under which a <c>directory</c> source may read; none means no directory sources.</summary>
    public List<string> DirectoryRoots { get; set; } = [];

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
