using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.ThreatLists;

/// <summary>Threat lists (<c>FlowLens:ThreatLists</c>, docs/threat-lists.md).</summary>
public sealed class ThreatListsOptions
{
    public const string Section = "FlowLens:ThreatLists";

    /// <summary>
    /// Hosts a list URL may name although they are not public, or over http (an internal mirror): <c>host</c> (any
    /// port) or <c>host:port</c>. Every other URL must be https to a host whose addresses are all public.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>When lists with a URL and no schedule of their own are refreshed: cron, UTC (default daily).</summary>
    public string Schedule { get; set; } = "41 3 * * *";

    /// <summary>The largest list accepted, uploaded or fetched, in bytes (default 16 MiB).</summary>
    [Range(1, 1L << 30)]
    public long MaxBytes { get; set; } = 16L << 20;

    /// <summary>The most blocks one list may hold (default 500,000).</summary>
    [Range(1, 5_000_000)]
    public int MaxEntries { get; set; } = 500_000;

    /// <summary>How long a fetch may take, whole (default 60 s).</summary>
    [Range(1, 3600)]
    public int FetchTimeoutSeconds { get; set; } = 60;
}
