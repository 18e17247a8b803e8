using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.Context;

/// <summary>Where the context of addresses comes from (<c>FlowLens:Enrichment</c>); docs/enrichment.md.</summary>
public sealed class EnrichmentOptions
{
    public const string Section = "FlowLens:Enrichment";

    /// <summary>Fetch AWS's ip-ranges.json every day (the only outbound call of this feature, to <see cref="AwsIpRangesUrl"/> alone).</summary>
    public bool RefreshAwsIpRanges { get; set; } = true;

    /// <summary>Where the daily refresh fetches ip-ranges.json; redirects are not followed.</summary>
    [Required]
    public string AwsIpRangesUrl { get; set; } = "https://ip-ranges.amazonaws.com/ip-ranges.json";

    /// <summary>A MaxMind-format country database (.mmdb: GeoLite2-Country or -City, DB-IP lite, IPinfo lite); none: no country.</summary>
    public string? GeoIpDatabase { get; set; }

    /// <summary>A MaxMind-format ASN database (.mmdb: GeoLite2-ASN, DB-IP lite ASN, IPinfo lite); none: no ASN.</summary>
    public string? AsnDatabase { get; set; }

    /// <summary>How often each node checks the database for networks or ranges another node changed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMinutes(1);

    public static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
