using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>Where sources may read from (<c>FlowLens:Sources</c>).</summary>
public sealed class SourcesOptions
{
    public const string Section = "FlowLens:Sources";

    /// <summary>Folders under which a <c>directory</c> source may read; none means no directory sources.</summary>
    public List<string> DirectoryRoots { get; set; } = [];
}

/// <summary>How long flow rows are kept (<c>FlowLens:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "FlowLens:Retention";

    /// <summary>Days of flows to keep; older daily partitions are dropped.</summary>
    [Range(1, 3650)]
    public int Days { get; set; } = 30;
}
