using FlowLens.Api.Features.Demo;

namespace FlowLens.Api.Tests.Features.Context;

/// <summary>
/// The small .mmdb files in testdata/geo, as <see cref="MmdbWriter"/> writes them: a GeoLite2-style
/// country file, a GeoLite2-style ASN file and an IPinfo-lite-style file with both, over a few real networks of AWS and
/// Google and the documentation ranges. MmdbWriterTests keeps the committed files equal to these.
/// </summary>
public static class TestGeoDatabases
{
    public const string Folder = "backend/tests/FlowLens.Api.Tests/testdata/geo/";
    public const string CountryFile = "flowlens-test-country.mmdb", AsnFile = "flowlens-test-asn.mmdb", IpinfoFile = "flowlens-test-ipinfo-lite.mmdb";

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "testdata", "geo", file);

    private static Dictionary<string, object> Country(string iso, string name) => new()
    {
        ["continent"] = new Dictionary<string, object> { ["code"] = iso == "US" ? "NA" : "EU", ["geoname_id"] = iso == "US" ? 6255149u : 6255148u },
        ["country"] = new Dictionary<string, object> { ["geoname_id"] = iso == "US" ? 6252001u : 2963597u, ["iso_code"] = iso, ["names"] = new Dictionary<string, object> { ["en"] = name } },
    };

    private static Dictionary<string, object> As(uint number, string organization) => new()
    {
        ["autonomous_system_number"] = number,
        ["autonomous_system_organization"] = organization,
    };

    private static Dictionary<string, object> Ipinfo(string asn, string name, string domain, string iso, string country) => new()
    {
        ["asn"] = asn,
        ["as_name"] = name,
        ["as_domain"] = domain,
        ["country_code"] = iso,
        ["country"] = country,
        ["continent_code"] = iso == "US" ? "NA" : "EU",
        ["continent"] = iso == "US" ? "North America" : "Europe",
    };

    public static byte[] CountryDatabase(int recordSize = 28)
    {
        var (ie, us, gb) = (Country("IE", "Ireland"), Country("US", "United States"), Country("GB", "United Kingdom"));
        return new MmdbWriter("GeoLite2-Country", recordSize)
            .Add("52.218.0.0/17", ie)           // S3 eu-west-1
            .Add("3.5.0.0/16", us)
            .Add("3.5.98.0/23", ie)             // more specific, inside 3.5.0.0/16
            .Add("8.8.8.0/24", us)
            .Add("198.51.100.0/24", gb)         // documentation range (TEST-NET-2): the demo's "internet"
            .Add("2a05:d031:8000::/40", ie)     // S3 eu-west-1, IPv6
            .Add("2001:4860::/32", us)
            .Build();
    }

    public static byte[] AsnDatabase(int recordSize = 24)
    {
        var (amazon, google, doc) = (As(16509, "AMAZON-02"), As(15169, "GOOGLE"), As(64496, "Documentation AS"));
        return new MmdbWriter("GeoLite2-ASN", recordSize)
            .Add("52.218.0.0/17", amazon)
            .Add("3.5.0.0/16", amazon)
            .Add("8.8.8.0/24", google)
            .Add("198.51.100.0/24", doc)
            .Add("2a05:d031:8000::/40", amazon)
            .Add("2001:4860::/32", google)
            .Build();
    }

    public static byte[] IpinfoDatabase(int recordSize = 32)
    {
        var (amazon, google) = (Ipinfo("AS16509", "Amazon.com, Inc.", "amazon.com", "IE", "Ireland"), Ipinfo("AS15169", "Google LLC", "google.com", "US", "United States"));
        return new MmdbWriter("ipinfo lite.mmdb", recordSize)
            .Add("52.218.0.0/17", amazon)
            .Add("8.8.8.0/24", google)
            .Add("2a05:d031:8000::/40", amazon)
            .Add("2001:4860::/32", google)
            .Build();
    }

    public static IEnumerable<(string File, byte[] Content)> All() =>
        [(CountryFile, CountryDatabase()), (AsnFile, AsnDatabase()), (IpinfoFile, IpinfoDatabase())];
}
