using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.Stats;

/// <summary>How the top summaries are bounded (<c>FlowLens:Rollups</c>).</summary>
public sealed class RollupOptions
{
    public const string Section = "FlowLens:Rollups";

    /// <summary>
    /// Keys a top summary (srcaddr, dstaddr, dstport, interface-id; per hour and per day) keeps per ranking metric: tops
    /// are exact while a field has at most this many values in an hour, else approximate within the floors.
    /// </summary>
    [Range(10, 100_000)]
    public int TopKeys { get; set; } = 1000;
}
