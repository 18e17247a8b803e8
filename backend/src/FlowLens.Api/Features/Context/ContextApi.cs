using System.Security.Claims;
using System.Text.Json.Serialization;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.ThreatLists;
using FlowLens.Api.Hosting;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Scopes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Context;

/// <summary>The context of addresses: AWS's service ranges, the .mmdb databases, and one address's context.</summary>
public static class ContextApi
{
    public static void MapContext(this IEndpointRouteBuilder app)
    {
        var context = app.MapGroup("/api/context").WithTags("Context");
        context.MapGet("/address/{addr}", GetAddress).WithName("getAddressContext").RequireAuthorization(Policies.Viewer)
            .WithSummary("What FlowLens knows of an address: your network, AWS service and region, country, ASN, the AWS resource it was at a time, and the threat lists holding it.");
        context.MapGet("/addresses", GetAddresses).WithName("getAddressesContext").RequireAuthorization(Policies.Viewer)
            .WithSummary("What FlowLens knows of up to 1000 addresses at a time, in the order asked: for names next to addresses in lists and charts.");
        context.MapGet("/status", GetStatus).WithName("getContextStatus").RequireAuthorization(Policies.Viewer)
            .WithSummary("Where the context of addresses comes from and whether each source of it is loaded.");
        context.MapGet("/aws-ip-ranges", GetAwsIpRanges).RequireAuthorization(Policies.Viewer)
            .WithSummary("The imported AWS ip-ranges.json, the last attempt to refresh it and why it failed.");
        context.MapPost("/aws-ip-ranges", UploadAwsIpRanges).RequireAuthorization(Policies.Admin)
            .Accepts<AwsIpRangesUpload>("application/json")
            .WithSummary("Imports an ip-ranges.json sent as the body (AWS's format), in place of the stored one.");
    }

    /// <summary>The body of an upload: AWS's ip-ranges.json as published (https://ip-ranges.amazonaws.com/ip-ranges.json).</summary>
    public sealed record AwsIpRangesUpload(
        [property: JsonPropertyName("syncToken")] string SyncToken,
        [property: JsonPropertyName("createDate")] string CreateDate,
        [property: JsonPropertyName("prefixes")] List<AwsIpv4Prefix> Prefixes,
        [property: JsonPropertyName("ipv6_prefixes")] List<AwsIpv6Prefix>? Ipv6Prefixes);

    public sealed record AwsIpv4Prefix(
        [property: JsonPropertyName("ip_prefix")] string IpPrefix,
        [property: JsonPropertyName("region")] string Region,
        [property: JsonPropertyName("service")] string Service,
        [property: JsonPropertyName("network_border_group")] string? NetworkBorderGroup);

    public sealed record AwsIpv6Prefix(
        [property: JsonPropertyName("ipv6_prefix")] string Ipv6Prefix,
        [property: JsonPropertyName("region")] string Region,
        [property: JsonPropertyName("service")] string Service,
        [property: JsonPropertyName("network_border_group")] string? NetworkBorderGroup);

    /// <param name="RefreshEnabled">Whether the daily job fetches <c>Url</c> (<c>FlowLens:Enrichment:RefreshAwsIpRanges</c>).</param>
    /// <param name="Current">The import whose prefixes are in use; none before the first.</param>
    /// <param name="LastAttempt">The latest import or refresh, with its error when it failed.</param>
    /// <param name="LoadedPrefixes">Distinct prefixes this node has in memory.</param>
    public sealed record AwsIpRangesStatus(bool RefreshEnabled, string Url, AwsIpRangesImportRecord? Current, AwsIpRangesImportRecord? LastAttempt, int LoadedPrefixes);

    /// <param name="Networks">Networks this node has in memory.</param>
    /// <param name="Country">The country database (<c>FlowLens:Enrichment:GeoIpDatabase</c>).</param>
    /// <param name="Asn">The ASN database (<c>FlowLens:Enrichment:AsnDatabase</c>).</param>
    public sealed record ContextStatus(int Networks, AwsIpRangesStatus AwsIpRanges, GeoDatabaseStatus Country, GeoDatabaseStatus Asn);

    /// <param name="Items">The addresses' context, in the order asked.</param>
    public sealed record AddressList(List<AddressDetail> Items);

    /// <summary>What FlowLens knows of an address (<see cref="AddressInfo"/>, as flow items carry it) and the threat lists holding it now.</summary>
    /// <param name="ThreatLists">The enabled threat lists holding the address, by name, each with its entry that does (docs/threat-lists.md); empty for none.</param>
    public sealed record AddressDetail(
        string Address, NetworkMatch? Network, AwsServiceMatch? Aws, string? Country, long? Asn, string? AsOrganization, InventoryContext? Resource,
        List<ThreatListHit> ThreatLists)
    {
        public static AddressDetail From(AddressInfo info, List<ThreatListHit> threatLists) =>
            new(info.Address, info.Network, info.Aws, info.Country, info.Asn, info.AsOrganization, info.Resource, threatLists);
    }

    public const int MaxAddresses = 1000;

    /// <summary>The context of one address.</summary>
    /// <param name="addr" example="52.218.10.27">An IPv4 or IPv6 address.</param>
    /// <param name="at" example="2026-12-01T09:00:00Z">When, for the AWS resource that held the address: ISO 8601 with an offset or relative (<c>now-1d</c>). Default: now.</param>
    internal static async Task<Results<Ok<AddressDetail>, ValidationProblem>> GetAddress(
        string addr, string? at, ClaimsPrincipal caller, AddressDescriber describer, ThreatListStore threatLists, TimeProvider clock, CancellationToken ct)
    {
        if (!FlowAddress.TryParse(addr, out var address))
        {
            return Problems.Invalid("addr", $"'{Clip(addr)}' is not an IPv4 or IPv6 address.");
        }
        if (!TimeRange.TryParseInstant(at, clock.GetUtcNow(), out var instant))
        {
            return Problems.Invalid("at", TimeRange.InstantError(Clip(at!)));
        }
        return TypedResults.Ok((await DetailAsync([(address.ToIPAddress(), instant)], CallerScope.Of(caller), describer, threatLists, ct))[0]);
    }

    /// <summary>The context of many addresses at one time.</summary>
    /// <param name="addr" example="10.0.1.10">The addresses, 1 to 1000, each as its own <c>addr</c> (<c>?addr=10.0.1.10&amp;addr=52.218.10.27</c>).</param>
    /// <param name="at" example="2026-12-01T09:00:00Z">When, for the AWS resources that held them: ISO 8601 with an offset or relative (<c>now-1d</c>). Default: now.</param>
    internal static async Task<Results<Ok<AddressList>, ValidationProblem>> GetAddresses(
        string[]? addr, string? at, ClaimsPrincipal caller, AddressDescriber describer, ThreatListStore threatLists, TimeProvider clock, CancellationToken ct)
    {
        if (addr is not { Length: > 0 and <= MaxAddresses })
        {
            return Problems.Invalid("addr", $"Give 1 to {MaxAddresses} addresses, each as its own addr.");
        }
        if (!TimeRange.TryParseInstant(at, clock.GetUtcNow(), out var instant))
        {
            return Problems.Invalid("at", TimeRange.InstantError(Clip(at!)));
        }
        var addresses = new List<(System.Net.IPAddress, DateTimeOffset)>(addr.Length);
        foreach (var text in addr)
        {
            if (!FlowAddress.TryParse(text, out var address))
            {
                return Problems.Invalid("addr", $"'{Clip(text)}' is not an IPv4 or IPv6 address.");
            }
            addresses.Add((address.ToIPAddress(), instant));
        }
        return TypedResults.Ok(new AddressList(await DetailAsync(addresses, CallerScope.Of(caller), describer, threatLists, ct)));
    }

    /// <summary>The addresses described, with the threat lists holding each (lists hold addresses now, not at <c>at</c>: they keep no history).</summary>
    private static async Task<List<AddressDetail>> DetailAsync(
        List<(System.Net.IPAddress Address, DateTimeOffset At)> addresses, AccessScope scope, AddressDescriber describer, ThreatListStore threatLists, CancellationToken ct)
    {
        var described = await describer.DescribeAsync(addresses, scope, ct);
        var hits = await threatLists.HitsAsync([.. addresses.Select(a => a.Address)], ct);
        return [.. described.Select((info, i) => AddressDetail.From(info, hits[i]))];
    }

    internal static async Task<Ok<ContextStatus>> GetStatus(AddressContext context, AwsIpRangesStore store, GeoDatabases geo, IOptions<EnrichmentOptions> options, CancellationToken ct)
    {
        await context.RefreshAsync(force: false, ct);
        return TypedResults.Ok(new ContextStatus(context.Counts.Networks, await AwsStatusAsync(context, store, options.Value, ct), geo.CountryStatus, geo.AsnStatus));
    }

    internal static async Task<Ok<AwsIpRangesStatus>> GetAwsIpRanges(AddressContext context, AwsIpRangesStore store, IOptions<EnrichmentOptions> options, CancellationToken ct)
    {
        await context.RefreshAsync(force: false, ct);
        return TypedResults.Ok(await AwsStatusAsync(context, store, options.Value, ct));
    }

    internal static async Task<Results<Ok<AwsIpRangesImportRecord>, ValidationProblem>> UploadAwsIpRanges(
        HttpRequest request, AwsIpRangesStore store, AuditLog audit, CancellationToken ct)
    {
        var record = await store.ImportAsync(request.Body, AwsIpRangesStore.OriginUpload, null, ct);
        await audit.RecordAsync(AuditActions.AwsIpRangesImported, "aws-ip-ranges", record.Error is null
            ? $"syncToken {record.SyncToken}, {record.Ipv4Prefixes} IPv4 and {record.Ipv6Prefixes} IPv6 prefixes"
            : $"refused: {Clip(record.Error)}", ct);
        return record.Error is null ? TypedResults.Ok(record) : Problems.Invalid("body", record.Error);
    }

    private static async Task<AwsIpRangesStatus> AwsStatusAsync(AddressContext context, AwsIpRangesStore store, EnrichmentOptions options, CancellationToken ct)
    {
        var (current, last) = await store.LatestAsync(ct);
        return new AwsIpRangesStatus(options.RefreshAwsIpRanges, options.AwsIpRangesUrl, current, last, context.Counts.AwsPrefixes);
    }

    private static string Clip(string text) => Problems.Clip(text, 200);
}
