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

    /// <summary>
    /// A top the summaries could answer is answered exactly from the raw flows while the range holds at most this many
    /// records (counted in the exact 5-minute totals): small deployments and short ranges get exact tops at little
    /// cost (a raw top over 250,000 records takes about 0.4 s on 2 cores, docs/benchmarks.md). 0: always the summaries.
    /// </summary>
    [Range(0, 1_000_000_000)]
    public long ExactTopRecords { get; set; } = 250_000;
}
