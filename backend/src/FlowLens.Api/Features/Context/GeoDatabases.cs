using System.Net;
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

    public GeoDatabases(IOptions<EnrichmentOptions> options, ILogger<GeoDatabases> log)
    {
        (_country, CountryStatus) = Open(options.Value.GeoIpDatabase, "FlowLens:Enrichment:GeoIpDatabase", log);
        (_asn, AsnStatus) = Open(options.Value.AsnDatabase, "FlowLens:Enrichment:AsnDatabase", log);
    }

    public GeoDatabaseStatus CountryStatus { get; }
    public GeoDatabaseStatus AsnStatus { get; }

    /// <summary>The ISO country code of an address, if the database knows it.</summary>
    public string? Country(IPAddress address) =>
        Find(_country, address) is { } record
            ? Get(Get(record, "country") as IDictionary<string, object>, "iso_code") as string ?? Get(record, "country_code") as string
            : null;

    /// <summary>The autonomous system of an address and its organisation, if the database knows them.</summary>
    public (long? Number, string? Organization) Asn(IPAddress address)
    {
        if (Find(_asn, address) is not { } record)
        {
            return (null, null);
        }
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
