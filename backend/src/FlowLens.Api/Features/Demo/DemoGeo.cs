namespace FlowLens.Api.Features.Demo;

/// <summary>
/// <c>FlowLens.Api demo-geo DIR</c>: writes the demo's country and ASN databases (<see cref="CountryFile"/>,
/// <see cref="AsnFile"/>, MaxMind format, shaped like GeoLite2-Country and GeoLite2-ASN) for the addresses of the
/// synthetic flows, for <c>FlowLens:Enrichment:GeoIpDatabase</c> and <c>AsnDatabase</c>. AWS's networks carry
/// AWS's published country and AS (AS16509 AMAZON-02); the rest of the public space the synthetic internet clients
/// come from (1.0.0.0 to 126.255.255.255, a /8 each) and the scanner's 198.51.100.0/24 get a made-up country and
/// a documentation AS number (64496 to 64511, RFC 5398) with a made-up name: it is not real geography.
/// </summary>
public static class DemoGeo
{
    public const string CountryFile = "demo-country.mmdb", AsnFile = "demo-asn.mmdb";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "demo-geo";

    /// <summary>Same files every time (the build time is fixed): writing them again changes nothing.</summary>
    private const long BuildEpoch = 1_796_000_000;

    private static readonly (string Country, string CountryName, uint Asn, string Organization)[] MadeUp =
    [
        ("US", "United States", 64501, "Lakeside Broadband"),
        ("DE", "Germany", 64502, "Rheinnetz Telekom"),
        ("BR", "Brazil", 64503, "Pampa Telecom"),
        ("IN", "India", 64504, "Indus Cable Networks"),
        ("CN", "China", 64505, "Eastern Backbone"),
        ("NL", "Netherlands", 64506, "Polder Datacenters"),
        ("VN", "Vietnam", 64507, "Mekong Net"),
        ("GB", "United Kingdom", 64508, "Thames Fibre"),
    ];

    /// <summary>The scanner of the synthetic flows (198.51.100.7).</summary>
    private static readonly (string Country, string CountryName, uint Asn, string Organization) Scanner = ("RO", "Romania", 64510, "Carpathian VPS Hosting");

    /// <summary>AWS's networks the synthetic flows reach, with the country of their region (GLOBAL ones: US).</summary>
    private static readonly (string Cidr, string Country, string CountryName)[] Aws =
    [
        ("52.218.0.0/17", "IE", "Ireland"),
        ("52.94.24.0/22", "IE", "Ireland"),
        ("18.97.192.0/18", "IE", "Ireland"),
        ("76.223.0.0/17", "US", "United States"),
        ("205.251.249.0/24", "US", "United States"),
        ("15.177.0.0/18", "US", "United States"),
        ("2a05:d031:8000::/40", "IE", "Ireland"),
    ];

    /// <summary>Every network of the files with its record: the made-up /8s first, AWS's and the scanner's inside them.</summary>
    private static IEnumerable<(string Cidr, string Country, string CountryName, uint Asn, string Organization)> Networks()
    {
        for (var octet = 1; octet <= 126; octet++)
        {
            if (octet == 10)
            {
                continue; // private
            }
            var (country, name, asn, organization) = MadeUp[octet % MadeUp.Length];
            yield return ($"{octet}.0.0.0/8", country, name, asn, organization);
        }
        foreach (var (cidr, country, name) in Aws)
        {
            yield return (cidr, country, name, 16509, "AMAZON-02");
        }
        yield return ("198.51.100.0/24", Scanner.Country, Scanner.CountryName, Scanner.Asn, Scanner.Organization);
    }

    public static byte[] CountryDatabase()
    {
        var writer = new MmdbWriter("FlowLens-Demo-Country", 28, BuildEpoch,
            "FlowLens demo countries for the synthetic flows' addresses (made up outside AWS's networks), written by MmdbWriter");
        foreach (var (cidr, country, name, _, _) in Networks())
        {
            writer.Add(cidr, new Dictionary<string, object>
            {
                ["country"] = new Dictionary<string, object> { ["iso_code"] = country, ["names"] = new Dictionary<string, object> { ["en"] = name } },
            });
        }
        return writer.Build();
    }

    public static byte[] AsnDatabase()
    {
        var writer = new MmdbWriter("FlowLens-Demo-ASN", 24, BuildEpoch,
            "FlowLens demo autonomous systems for the synthetic flows' addresses (made up outside AWS's networks), written by MmdbWriter");
        foreach (var (cidr, _, _, asn, organization) in Networks())
        {
            writer.Add(cidr, new Dictionary<string, object>
            {
                ["autonomous_system_number"] = asn,
                ["autonomous_system_organization"] = organization,
            });
        }
        return writer.Build();
    }

    /// <summary>Writes both files into <paramref name="folder"/> (made if missing); returns their paths.</summary>
    public static (string Country, string Asn) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var (country, asn) = (Path.Combine(folder, CountryFile), Path.Combine(folder, AsnFile));
        File.WriteAllBytes(country, CountryDatabase());
        File.WriteAllBytes(asn, AsnDatabase());
        return (Path.GetFullPath(country), Path.GetFullPath(asn));
    }

    public static int Run(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: FlowLens.Api demo-geo <folder>");
            return 2;
        }
        var (country, asn) = Write(args[1]);
        Console.WriteLine($"Wrote the demo's country and ASN databases: {country}, {asn}");
        return 0;
    }
}
