using System.Net;
using FlowLens.Core.Context;
using MaxMind.Db;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Context;

/// <summary>The state of one configured .mmdb file, for the status (never its path: that goes to the log only).</summary>
/// <param name="Configured">Whether an option names a file.</param>
/// <param name="Loaded">Whether it opened as a MaxMind DB.</param>
/// <param name="DatabaseType">What the file says it is (<c>GeoLite2-Country</c>, <c>ipinfo lite.mmdb</c>...).</param>
/// <param name="BuiltAt">When it was built, by its metadata.</param>
/// <param name="Error">Why it is not used.</param>
public sealed record GeoDatabaseStatus(bool Configured, bool Loaded, string? DatabaseType, DateTimeOffset? BuiltAt, string? Error);

/// <summary>
/// Country and ASN from MaxMind-format databases (MaxMind.Db's reader, memory-mapped), opened once at start: a
/// missing or broken file is a warning and a status, never a failed start. Field names of MaxMind and DB-IP
/// (<c>country.iso_code</c>, <c>autonomous_system_number</c>/<c>_organization</c>) and of IPinfo lite
/// (<c>country_code</c>, <c>asn</c> "AS16509", <c>as_name</c>).
/// </summary>
public sealed class GeoDatabases : IDisposable
{
    private readonly Reader? _country, _asn;
    private readonly Lazy<Dictionary<string, List<AddressRange>>> _byCountry;
    private readonly Lazy<Dictionary<string, List<AddressRange>>> _byAsn;

    public GeoDatabases(IOptions<EnrichmentOptions> options, ILogger<GeoDatabases> log)
    {
        (_country, CountryStatus) = Open(options.Value.GeoIpDatabase, "FlowLens:Enrichment:GeoIpDatabase", log);
        (_asn, AsnStatus) = Open(options.Value.AsnDatabase, "FlowLens:Enrichment:AsnDatabase", log);
        _byCountry = new(() => Index(_country, CountryOf, log));
        _byAsn = new(() => Index(_asn, record => AsnOf(record).Number?.ToString(System.Globalization.CultureInfo.InvariantCulture), log));
    }

    public GeoDatabaseStatus CountryStatus { get; }
    public GeoDatabaseStatus AsnStatus { get; }

    /// <summary>The ISO country code of an address, if the database knows it.</summary>
    public string? Country(IPAddress address) => Find(_country, address) is { } record ? CountryOf(record) : null;

    /// <summary>The autonomous system of an address and its organisation, if the database knows them.</summary>
    public (long? Number, string? Organization) Asn(IPAddress address) => Find(_asn, address) is { } record ? AsnOf(record) : (null, null);

    /// <summary>
    /// The addresses of the countries (ISO codes, upper case), as sorted, disjoint ranges: for filters. The first call
    /// reads the whole database once (a second or two for a full country database) and keeps an index by country.
    /// </summary>
    public List<AddressRange> CountryRanges(IEnumerable<string> codes) =>
        AddressRanges.Merge(codes.SelectMany(code => _byCountry.Value.GetValueOrDefault(code) ?? []));

    /// <summary>The addresses of the autonomous systems, as sorted, disjoint ranges (as <see cref="CountryRanges"/>).</summary>
    public List<AddressRange> AsnRanges(IEnumerable<long> numbers) =>
        AddressRanges.Merge(numbers.SelectMany(number => _byAsn.Value.GetValueOrDefault(number.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? []));

    private static string? CountryOf(Dictionary<string, object> record) =>
        Get(Get(record, "country") as IDictionary<string, object>, "iso_code") as string ?? Get(record, "country_code") as string;

    private static (long? Number, string? Organization) AsnOf(Dictionary<string, object> record)
    {
        long? number = record.GetValueOrDefault("autonomous_system_number") switch
        {
            IConvertible n and not string => Convert.ToInt64(n, System.Globalization.CultureInfo.InvariantCulture),
            _ => record.GetValueOrDefault("asn") is string text && text.StartsWith("AS", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    ? parsed : null,
        };
        var organization = record.GetValueOrDefault("autonomous_system_organization") as string ?? record.GetValueOrDefault("as_name") as string;
        return (number, organization);
    }

    /// <summary>Every network of a database under its key (IPv4-mapped IPv6 networks as IPv4), merged per key.</summary>
    private static Dictionary<string, List<AddressRange>> Index(Reader? reader, Func<Dictionary<string, object>, string?> keyOf, ILogger log)
    {
        var index = new Dictionary<string, List<AddressRange>>(StringComparer.OrdinalIgnoreCase);
        if (reader is null)
        {
            return index;
        }
        try
        {
            foreach (var node in reader.FindAll<Dictionary<string, object>>())
            {
                if (keyOf(node.Data) is { } key)
                {
                    if (!index.TryGetValue(key, out var ranges))
                    {
                        index[key] = ranges = [];
                    }
                    ranges.Add(AddressRange.Of(node.Start, node.PrefixLength));
                }
            }
        }
        catch (InvalidDatabaseException e)
        {
            log.LogWarning(e, "The database could not be read whole; filters by country or ASN see part of it");
        }
        foreach (var key in index.Keys.ToList())
        {
            index[key] = AddressRanges.Merge(index[key]);
        }
        return index;
    }

    private static object? Get(IDictionary<string, object>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static Dictionary<string, object>? Find(Reader? reader, IPAddress address)
    {
        if (reader is null)
        {
            return null;
        }
        try
        {
            // An IPv4-only database cannot answer IPv6; IPv4-mapped addresses are asked as IPv4.
            var key = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (key.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && reader.Metadata.IPVersion == 4)
            {
                return null;
            }
            return reader.Find<Dictionary<string, object>>(key);
        }
        catch (InvalidDatabaseException)
        {
            return null; // a record the file's tree points at but cannot decode: no answer rather than a failed request
        }
    }

    private static (Reader?, GeoDatabaseStatus) Open(string? path, string option, ILogger log)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return (null, new GeoDatabaseStatus(false, false, null, null, null));
        }
        string error;
        try
        {
            var reader = new Reader(path, FileAccessMode.MemoryMapped);
            var metadata = reader.Metadata;
            log.LogInformation("{Option}: {DatabaseType} of {BuiltAt:u} from {Path}", option, metadata.DatabaseType, metadata.BuildDate, path);
            return (reader, new GeoDatabaseStatus(true, true, metadata.DatabaseType, new DateTimeOffset(metadata.BuildDate, TimeSpan.Zero), null));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error = "The file does not exist.";
        }
        catch (UnauthorizedAccessException)
        {
            error = "The file cannot be read (permissions).";
        }
        catch (Exception e) when (e is InvalidDatabaseException or IOException or ArgumentException or InvalidOperationException or NullReferenceException or IndexOutOfRangeException or InvalidCastException or KeyNotFoundException)
        {
            error = $"The file is not a MaxMind DB file: {e.Message}";
        }
        log.LogWarning("{Option} ({Path}) is not used, so addresses get no {What}: {Error}", option, path,
            option.EndsWith("AsnDatabase", StringComparison.Ordinal) ? "ASN" : "country", error);
        return (null, new GeoDatabaseStatus(true, false, null, null, error));
    }

    public void Dispose()
    {
        _country?.Dispose();
        _asn?.Dispose();
    }
}
