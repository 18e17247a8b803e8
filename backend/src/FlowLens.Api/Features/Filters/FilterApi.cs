using System.Security.Claims;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.Lookups;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Filters;

public static class FilterApi
{
    public static void MapFilter(this IEndpointRouteBuilder app)
    {
        var filter = app.MapGroup("/api/filter").WithTags("Filter").RequireAuthorization(Policies.Viewer);
        filter.MapGet("/fields", GetFields).WithName("listFilterFields").WithSummary("The fields a filter can use: types, example values and the labels of coded values (protocol, traffic-path, tcp-flags).");
        filter.MapGet("/check", CheckFilter).WithSummary("Checks a filter: 200 when valid, 400 saying what is wrong and where.");
        filter.MapGet("/values", GetValues).WithName("listFilterValues").WithSummary("Values of a context field that start with a prefix, for completion: network names, AWS services, countries, instance names, security groups, threat lists.");
    }

    /// <param name="Name">The AWS field name, as written in filters (<c>dstport</c>, <c>log-status</c>).</param>
    /// <param name="Type"><c>address</c>, <c>number</c>, <c>protocol</c>, <c>enum</c> or <c>text</c>.</param>
    /// <param name="Operators">The comparisons the field takes.</param>
    /// <param name="Examples">Example values; for enums, every value.</param>
    /// <param name="Labels">What coded values mean, for display: protocol numbers, traffic-path codes, and for
    /// <c>tcp-flags</c> one entry per bit. Empty for fields whose values speak for themselves.</param>
    public sealed record FieldInfo(string Name, string Type, IReadOnlyList<string> Operators, IReadOnlyList<string> Examples, IReadOnlyList<ValueLabel> Labels);

    /// <param name="Value">The value as the API returns it (<c>6</c>; a single bit for <c>tcp-flags</c>).</param>
    /// <param name="Label">How it reads on screen (<c>TCP</c>, <c>Same VPC</c>).</param>
    /// <param name="Description">AWS's longer wording, where it has one.</param>
    public sealed record ValueLabel(string Value, string Label, string? Description);

    public sealed record FilterCheck(string Filter, bool Valid);

    private static readonly IReadOnlyList<string> EqualityOperators = ["=", "!=", "in", "not in"];
    private static readonly IReadOnlyList<string> AllOperators = ["=", "!=", "<", "<=", ">", ">=", "in", "not in"];

    internal static Ok<List<FieldInfo>> GetFields() => TypedResults.Ok(FilterFields.All
        .Select(f => new FieldInfo(f.Name, f.Kind.ToString().ToLowerInvariant(),
            f.Kind is FilterKind.Number or FilterKind.Protocol ? AllOperators : EqualityOperators, f.Examples,
            Labels.GetValueOrDefault(f.Name, [])))
        .ToList());

    // The one place labels come from: the core's lookups. The frontend has no copies.
    private static readonly Dictionary<string, IReadOnlyList<ValueLabel>> Labels = new()
    {
        ["protocol"] = [.. Protocols.All.Select(p => new ValueLabel(Invariant(p.Number), p.Name, null))],
        ["traffic-path"] = [.. TrafficPaths.All.Select(p => new ValueLabel(Invariant(p.Code), p.Short, p.Label))],
        ["tcp-flags"] = [.. TcpFlagNames.All.Select(f => new ValueLabel(Invariant(f.Bit), f.Name, null))],
    };

    private static string Invariant(int number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <param name="Field">The field, as asked.</param>
    /// <param name="Values">Values starting with the prefix (any case), each once, sorted regardless of case, at most <c>limit</c>.</param>
    public sealed record FilterValues(string Field, IReadOnlyList<string> Values);

    public const int MaxValues = 100, MaxPrefixLength = 100;


    /// <summary>Completion of a context field's values.</summary>
    /// <param name="field" example="dst-country">A context field other than the ASN ones: <c>network</c>, <c>aws-service</c> or <c>country</c> (or their <c>src-</c>/<c>dst-</c> forms), <c>instance-name</c>, <c>security-group</c>, <c>threat-list</c> (or its <c>src-</c>/<c>dst-</c> forms).</param>
    /// <param name="prefix" example="C">What the values start with, any case (default: every value).</param>
    /// <param name="limit" example="20">How many values, 1 to 100 (default 20).</param>
    internal static async Task<Results<Ok<FilterValues>, ValidationProblem>> GetValues(
        NpgsqlDataSource dataSource, ClaimsPrincipal caller, string? field, string? prefix, int? limit, CancellationToken ct)
    {
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 20, MaxValues);
        if (limitProblem is not null)
        {
            return limitProblem;
        }
        if (!FilterFields.TryFind(field ?? "", out var found) || found.Kind != FilterKind.Context || found.Attribute == ContextAttribute.Asn)
        {
            var fields = string.Join(", ", FilterFields.All.Where(f => f.Kind == FilterKind.Context && f.Attribute != ContextAttribute.Asn).Select(f => f.Name));
            return Problems.Invalid("field", field is null ? $"field is required: one of {fields}"
                : found?.Attribute == ContextAttribute.Asn ? $"'{found.Name}' has no completion: write the number (16509 or AS16509)"
                : $"'{Clip(field)}' is not a field with completion; those are {fields}");
        }
        prefix ??= "";
        if (prefix.Length > MaxPrefixLength)
        {
            return Problems.Invalid("prefix", $"prefix is at most {MaxPrefixLength} characters");
        }
        if (found.Attribute == ContextAttribute.Country)
        {
            return TypedResults.Ok(new FilterValues(found.Name, [.. CountryCodes.Where(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Take(count)]));
        }
        // The distinct values starting with $1 in any case, sorted regardless of case (then in "C" order), at most $2.
        var values = found.Attribute switch
        {
            ContextAttribute.Network => "select distinct name collate \"C\" from networks",
            ContextAttribute.AwsService => "select distinct service collate \"C\" from aws_ip_ranges",
            ContextAttribute.ThreatList => "select name collate \"C\" from threat_lists",
            // As tops by instance-name label an interface: the name of the resource it belongs to (instance, NAT gateway, endpoint).
            // The inventory's names and groups only of the accounts and VPCs the caller may read ($3 null: everything).
            ContextAttribute.InstanceName => $"select distinct r.name collate \"C\" from inventory_resources r where exists (select from inventory_interfaces i where i.resource_id = r.resource_id and {CallerScope.InventoryCondition("i", 3)})",
            _ => $"select distinct unnest(array[resource_id, attributes ->> 'groupName', name]) collate \"C\" from inventory_resources r where kind = 'security-group' and {CallerScope.InventoryCondition("r", 3)}",
        };
        await using var command = dataSource.CreateCommand($"""
            select v from ({values}) x(v)
            where v is not null and starts_with(lower(v), lower($1))
            order by lower(v), v
            limit $2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        command.Parameters.AddRange(CallerScope.InventoryParameters(CallerScope.Of(caller)));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(reader.GetString(0));
        }
        return TypedResults.Ok(new FilterValues(found.Name, list));
    }

    /// <summary>
    /// The country codes completion offers: every ISO 3166-1 alpha-2 code, and XK (Kosovo), which the MaxMind, DB-IP
    /// and IPinfo databases use. A fixed list, not the codes in the .mmdb: a database cannot list its values without
    /// walking its whole tree (seconds for a country file).
    /// </summary>
    public static readonly IReadOnlyList<string> CountryCodes = [.. """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
        KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT
        MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
        UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];

    private static string Clip(string text) => Problems.Clip(text, 100);

    internal static Results<Ok<FilterCheck>, ValidationProblem> CheckFilter(IOptions<QueryOptions> options, string? q)
    {
        var (_, error) = FilterParser.Parse(q, options.Value.FilterLimits);
        return error is null ? TypedResults.Ok(new FilterCheck(q ?? "", true)) : Problems.InvalidFilter(error);
    }
}
