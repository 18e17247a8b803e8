using System.Net;
using FlowLens.Api.Tests.Infrastructure;
using MaxMind.Db;

namespace FlowLens.Api.Tests.Features.Context;

/// <summary>The writer's files read back through MaxMind.Db's own reader, so the tests of FlowLens stand on a valid format.</summary>
public sealed class MmdbWriterTests
{
    [Theory]
    [InlineData(24)]
    [InlineData(28)]
    [InlineData(32)]
    public void MaxMindsReader_ReadsWhatTheWriterWrites_AtEachRecordSize(int recordSize)
    {
        using var reader = new Reader(new MemoryStream(TestGeoDatabases.CountryDatabase(recordSize)));

        Assert.Equal("GeoLite2-Country", reader.Metadata.DatabaseType);
        Assert.Equal(6, reader.Metadata.IPVersion);
        Assert.Equal(2, reader.Metadata.BinaryFormatMajorVersion);
        Assert.Equal(["en"], reader.Metadata.Languages);
        Assert.Equal("IE", IsoCode(reader, "52.218.10.27"));
        Assert.Equal("IE", IsoCode(reader, "3.5.99.1"));       // the /23 inside
        Assert.Equal("US", IsoCode(reader, "3.5.1.1"));        // the /16 around it
        Assert.Equal("US", IsoCode(reader, "8.8.8.8"));
        Assert.Equal("IE", IsoCode(reader, "2a05:d031:8000::10"));
        Assert.Equal("US", IsoCode(reader, "2001:4860:4860::8888"));
        Assert.Null(IsoCode(reader, "192.0.2.1"));
        Assert.Null(IsoCode(reader, "2600::1"));

        var record = reader.Find<Dictionary<string, object>>(IPAddress.Parse("52.218.10.27"), out var prefixLength)!;
        Assert.Equal(17, prefixLength);
        Assert.Equal("Ireland", ((Dictionary<string, object>)((Dictionary<string, object>)record["country"])["names"])["en"]);
        Assert.Equal(2963597L, Convert.ToInt64(((Dictionary<string, object>)record["country"])["geoname_id"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheAsnAndIpinfoFiles_ReadBackWithTheirFieldNames()
    {
        using var asn = new Reader(new MemoryStream(TestGeoDatabases.AsnDatabase()));
        var amazon = asn.Find<Dictionary<string, object>>(IPAddress.Parse("52.218.10.27"))!;
        Assert.Equal(16509L, Convert.ToInt64(amazon["autonomous_system_number"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("AMAZON-02", amazon["autonomous_system_organization"]);

        using var ipinfo = new Reader(new MemoryStream(TestGeoDatabases.IpinfoDatabase()));
        var google = ipinfo.Find<Dictionary<string, object>>(IPAddress.Parse("2001:4860:4860::8888"))!;
        Assert.Equal(("AS15169", "Google LLC", "US"), (google["asn"], google["as_name"], google["country_code"]));
    }

    [Fact]
    public void TheCommittedTestDatabases_AreTheWritersOutput()
    {
        // FLOWLENS_UPDATE_GOLDEN=1 writes them.
        foreach (var (file, content) in TestGeoDatabases.All())
        {
            var path = Repository.PathOf(TestGeoDatabases.Folder + file);
            if (GoldenFile.Updating)
            {
                File.WriteAllBytes(path, content);
            }
            Assert.True(File.Exists(path) && File.ReadAllBytes(path).SequenceEqual(content),
                $"{path} is not what MmdbWriter writes; run this test with FLOWLENS_UPDATE_GOLDEN=1 and commit the file.");
        }
    }

    private static string? IsoCode(Reader reader, string address) =>
        reader.Find<Dictionary<string, object>>(IPAddress.Parse(address)) is { } record
            ? ((Dictionary<string, object>)record["country"])["iso_code"] as string
            : null;
}
