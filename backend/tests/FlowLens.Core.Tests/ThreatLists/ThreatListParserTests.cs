using FlowLens.Core.ThreatLists;

namespace FlowLens.Core.Tests.ThreatLists;

public sealed class ThreatListParserTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "threat-lists", name));

    private static ThreatListParse Parse(string text) => ThreatListParser.Parse(text, ThreatListLimits.Default);

    [Fact]
    public void Parse_ReadsSpamhausDrop_SkippingCommentsAndSblIds()
    {
        var parsed = Parse(Fixture("spamhaus-drop.txt"));

        Assert.Null(parsed.Error);
        Assert.Equal(["1.10.16.0/20", "1.19.0.0/16", "1.32.128.0/18", "2.56.192.0/22", "5.42.92.0/24"], parsed.Entries.Select(e => e.ToString()));
        Assert.Equal((5, 0, 0), (parsed.Ipv4, parsed.Ipv6, parsed.Rejected));
    }

    [Fact]
    public void Parse_ReadsFireholNetset_WithItsHeaderAndBareAddresses()
    {
        var parsed = Parse(Fixture("firehol_level1.netset"));

        Assert.Null(parsed.Error);
        Assert.Equal(["0.0.0.0/8", "1.10.16.0/20", "1.19.0.0/16", "5.188.10.179/32", "10.0.0.0/8", "223.254.0.0/16"], parsed.Entries.Select(e => e.ToString()));
        Assert.Equal(0, parsed.Rejected);
    }

    [Fact]
    public void Parse_CountsBadLines_KeepsFewSamples_AndTheRest()
    {
        var text = "203.0.113.7\nnot-an-address\n2001:db8::/32 # doc\n\n  ; only a comment\n300.1.2.3\n10.0.0.0/33\n1.2.3\n::1/129\nx\ny\n198.51.100.0/24\r\n";

        var parsed = Parse(text);

        Assert.Null(parsed.Error);
        Assert.Equal(["203.0.113.7/32", "2001:db8::/32", "198.51.100.0/24"], parsed.Entries.Select(e => e.ToString()));
        Assert.Equal((2, 1), (parsed.Ipv4, parsed.Ipv6));
        Assert.Equal(7, parsed.Rejected);
        Assert.Equal(ThreatListParser.MaxSamples, parsed.Samples.Count);
        Assert.Equal((2, "not-an-address"), (parsed.Samples[0].Line, parsed.Samples[0].Text));
        Assert.Equal(6, parsed.Samples[1].Line);
    }

    [Fact]
    public void Parse_ClearsHostBits_AndDropsDuplicates()
    {
        var parsed = Parse("10.1.2.3/8\n10.0.0.0/8\n2001:db8::1/32\n::ffff:192.0.2.1\n");

        Assert.Equal(["10.0.0.0/8", "2001:db8::/32", "::ffff:192.0.2.1/128"], parsed.Entries.Select(e => e.ToString()));
        Assert.Equal(0, parsed.Rejected);
    }

    [Fact]
    public void Parse_RefusesAListOverTheLimits_WithAClearError()
    {
        var tooMany = ThreatListParser.Parse("192.0.2.1\n192.0.2.2\n192.0.2.3\n", new ThreatListLimits(1000, 2));
        var tooBig = ThreatListParser.Parse(new string('#', 2000), new ThreatListLimits(1000, 2));

        Assert.Equal("The list holds more than 2 entries.", tooMany.Error);
        Assert.Empty(tooMany.Entries);
        Assert.Equal("The list is 2000 bytes; at most 1000 are accepted.", tooBig.Error);
    }

    [Fact]
    public void Ranges_MergesOverlappingBlocks_PerFamily()
    {
        var parsed = Parse("10.0.0.0/8\n10.1.0.0/16\n11.0.0.0/8\n2001:db8::/32\n");

        var ranges = ThreatListParser.Ranges(parsed.Entries);

        Assert.Equal(["10.0.0.0-11.255.255.255", "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"],
            ranges.Select(r => $"{r.FirstAddress}-{r.LastAddress}"));
    }
}
