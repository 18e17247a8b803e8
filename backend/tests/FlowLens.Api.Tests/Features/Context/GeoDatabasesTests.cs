using System.Net;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Tests.Features.Context;

public sealed class GeoDatabasesTests
{
    private static GeoDatabases Open(string? country, string? asn, LogRecorder<GeoDatabases>? log = null) =>
        new(Options.Create(new EnrichmentOptions { GeoIpDatabase = country, AsnDatabase = asn }), log ?? new LogRecorder<GeoDatabases>());

    [Theory]
    [InlineData("52.218.10.27", "IE", 16509L, "AMAZON-02")]
    [InlineData("3.5.99.1", "IE", 16509L, "AMAZON-02")]
    [InlineData("3.5.1.1", "US", 16509L, "AMAZON-02")]
    [InlineData("8.8.8.8", "US", 15169L, "GOOGLE")]
    [InlineData("::ffff:8.8.8.8", "US", 15169L, "GOOGLE")]
    [InlineData("2a05:d031:8000::10", "IE", 16509L, "AMAZON-02")]
    [InlineData("10.0.0.1", null, null, null)]
    public void MaxMindStyleFiles_GiveCountryAndAsn(string address, string? country, long? asn, string? organization)
    {
        using var geo = Open(TestGeoDatabases.PathOf(TestGeoDatabases.CountryFile), TestGeoDatabases.PathOf(TestGeoDatabases.AsnFile));
        Assert.Equal(country, geo.Country(IPAddress.Parse(address)));
        Assert.Equal((asn, organization), geo.Asn(IPAddress.Parse(address)));
        Assert.Equal(new GeoDatabaseStatus(true, true, "GeoLite2-Country", DateTimeOffset.FromUnixTimeSeconds(1_796_000_000), null), geo.CountryStatus);
        Assert.Equal("GeoLite2-ASN", geo.AsnStatus.DatabaseType);
    }

    [Fact]
    public void AnIpinfoLiteFile_GivesBoth_FromItsOwnFieldNames()
    {
        var file = TestGeoDatabases.PathOf(TestGeoDatabases.IpinfoFile);
        using var geo = Open(file, file);
        Assert.Equal("IE", geo.Country(IPAddress.Parse("52.218.10.27")));
        Assert.Equal((16509L, "Amazon.com, Inc."), geo.Asn(IPAddress.Parse("52.218.10.27")));
        Assert.Equal((15169L, "Google LLC"), geo.Asn(IPAddress.Parse("2001:4860:4860::8888")));
    }

    [Fact]
    public void MissingAndBrokenFiles_AreAWarningAndAStatus_NotAFailure()
    {
        using var folder = new TempFolder();
        var broken = Path.Combine(folder.Path, "broken.mmdb");
        File.WriteAllBytes(broken, [.. TestGeoDatabases.CountryDatabase().Take(300)]);
        var log = new LogRecorder<GeoDatabases>();
        using var geo = Open(Path.Combine(folder.Path, "GeoLite2-Country.mmdb"), broken, log);

        Assert.Equal(new GeoDatabaseStatus(true, false, null, null, "The file does not exist."), geo.CountryStatus);
        Assert.False(geo.AsnStatus.Loaded);
        Assert.StartsWith("The file is not a MaxMind DB file", geo.AsnStatus.Error);
        Assert.Null(geo.Country(IPAddress.Parse("52.218.10.27")));
        Assert.Equal((null, null), geo.Asn(IPAddress.Parse("52.218.10.27")));
        var warnings = log.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("FlowLens:Enrichment:GeoIpDatabase") && w.Contains("GeoLite2-Country.mmdb") && w.Contains("no country"));
        Assert.Contains(warnings, w => w.Contains("FlowLens:Enrichment:AsnDatabase") && w.Contains("broken.mmdb") && w.Contains("no ASN"));
    }

    [Fact]
    public void NoFileConfigured_IsNeitherWarnedNorLoaded()
    {
        var log = new LogRecorder<GeoDatabases>();
        using var geo = Open(null, " ", log);
        Assert.Equal(new GeoDatabaseStatus(false, false, null, null, null), geo.CountryStatus);
        Assert.Equal(new GeoDatabaseStatus(false, false, null, null, null), geo.AsnStatus);
        Assert.Empty(log.Lines);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("flowlens-geo-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
