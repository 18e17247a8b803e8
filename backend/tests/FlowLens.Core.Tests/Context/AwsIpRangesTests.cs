using System.Net;
using FlowLens.Core.Context;

namespace FlowLens.Core.Tests.Context;

public sealed class AwsIpRangesTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "testdata", "aws-ip-ranges", "ip-ranges.json");

    [Fact]
    public async Task Parse_ReadsTheTrimmedRealFile()
    {
        await using var file = File.OpenRead(Fixture);
        var result = await AwsIpRanges.ParseAsync(file, TestContext.Current.CancellationToken);

        Assert.Null(result.Error);
        var document = result.Document!;
        Assert.Equal("1787411825", document.SyncToken);
        Assert.Equal(new DateTimeOffset(2026, 8, 22, 15, 17, 5, TimeSpan.Zero), document.CreateDate);
        Assert.Equal(45, document.Ipv4Count);
        Assert.Equal(11, document.Ipv6Count);
        Assert.Contains(new AwsIpPrefix(IPNetwork.Parse("52.218.0.0/17"), "S3", "eu-west-1", "eu-west-1"), document.Prefixes);
        Assert.Contains(new AwsIpPrefix(IPNetwork.Parse("2a05:d031:8000::/40"), "S3", "eu-west-1", "eu-west-1"), document.Prefixes);
        Assert.Contains(new AwsIpPrefix(IPNetwork.Parse("15.181.232.0/21"), "EC2", "us-east-1", "us-east-1-iah-1"), document.Prefixes);
    }

    [Theory]
    [InlineData("52.218.10.27", "S3", "eu-west-1")]             // S3 and AMAZON list the same /17: S3 wins
    [InlineData("76.223.102.9", "S3", "GLOBAL")]               // an S3 /24 inside AMAZON's 76.223.0.0/17
    [InlineData("76.223.1.1", "AMAZON", "GLOBAL")]
    [InlineData("52.4.1.1", "EC2", "us-east-1")]
    [InlineData("205.251.249.10", "CLOUDFRONT", "GLOBAL")]
    [InlineData("52.94.24.5", "DYNAMODB", "eu-west-1")]
    [InlineData("15.177.0.1", "ROUTE53_HEALTHCHECKS", "GLOBAL")]
    [InlineData("2a05:d031:8000::10", "S3", "eu-west-1")]      // AMAZON, S3 and EC2 list it: the first named service
    [InlineData("2600:9000:3000::1", "CLOUDFRONT", "GLOBAL")]
    [InlineData("::ffff:52.218.10.27", "S3", "eu-west-1")]
    public async Task TheMostSpecificPrefix_AndANamedServiceOverAmazon_Win(string address, string service, string region)
    {
        await using var file = File.OpenRead(Fixture);
        var document = (await AwsIpRanges.ParseAsync(file, TestContext.Current.CancellationToken)).Document!;
        var map = PrefixMap<AwsIpPrefix>.Build(document.Prefixes.Select(p => (p.Prefix, p)), AwsIpPrefix.MoreSpecific);

        Assert.True(map.TryLookup(IPAddress.Parse(address), out var prefix, out _));
        Assert.Equal((service, region), (prefix.Service, prefix.Region));
        Assert.False(map.TryLookup(IPAddress.Parse("192.0.2.1"), out _, out _));
    }

    [Fact]
    public async Task Parse_ReadsAFileThatArrivesInSmallPieces_AndTakesUnknownProperties()
    {
        var json = """
            {"syncToken": "1", "createDate": "2026-01-02-03-04-05", "comment": {"nested": [1, {"a": 2}]}, "prefixes": [
              {"ip_prefix": "3.5.98.0/23", "region": "eu-west-1", "service": "S3", "network_border_group": "eu-west-1", "extra": [1, 2]},
              {"ip_prefix": "3.5.98.1/23", "region": "eu-west-1", "service": "AMAZON"}
            ], "ipv6_prefixes": [], "later": 7}
            """;
        var result = await AwsIpRanges.ParseAsync(new TrickleStream(System.Text.Encoding.UTF8.GetBytes(json)), TestContext.Current.CancellationToken);
        Assert.Null(result.Error);
        Assert.Equal(
            [new AwsIpPrefix(IPNetwork.Parse("3.5.98.0/23"), "S3", "eu-west-1", "eu-west-1"), new AwsIpPrefix(IPNetwork.Parse("3.5.98.0/23"), "AMAZON", "eu-west-1", null)],
            result.Document!.Prefixes);
    }

    [Theory]
    [InlineData("", "Not valid JSON")]
    [InlineData("[]", "the document is not a JSON object")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [""", "Not valid JSON")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05"}""", "neither 'prefixes' nor 'ipv6_prefixes'")]
    [InlineData("""{"createDate": "2026-01-02-03-04-05", "prefixes": []}""", "'syncToken' or 'createDate' is missing")]
    [InlineData("""{"syncToken": "1", "createDate": "yesterday", "prefixes": []}""", "is not yyyy-mm-dd-hh-mm-ss")]
    [InlineData("""{"syncToken": 1, "createDate": "2026-01-02-03-04-05", "prefixes": []}""", "'syncToken' is not a string")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": {}}""", "'prefixes' is not a array")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": ["3.5.98.0/23"]}""", "an entry of 'prefixes' is not an object")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"region": "x", "service": "S3"}]}""", "has no 'ip_prefix'")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"ip_prefix": "3.5.98.0/33", "region": "x", "service": "S3"}]}""", "prefix length of 0 to 32")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"ip_prefix": "3.5.98.0", "region": "x", "service": "S3"}]}""", "has no prefix length")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"ip_prefix": "3.5.98.0/23", "service": "S3"}]}""", "has no 'service' or 'region'")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"ip_prefix": "2600::/32", "region": "x", "service": "S3"}]}""", "is not an IPv4 prefix, yet it is in 'prefixes'")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "ipv6_prefixes": [{"ipv6_prefix": "3.5.98.0/23", "region": "x", "service": "S3"}]}""", "is not an IPv6 prefix")]
    [InlineData("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": []} {}""", "Not valid JSON")]
    public async Task Parse_SaysWhatIsWrong(string json, string reason)
    {
        var result = await AwsIpRanges.ParseAsync(json, TestContext.Current.CancellationToken);
        Assert.Null(result.Document);
        Assert.Contains(reason, result.Error);
    }

    [Fact]
    public async Task AnError_NamesItsByte()
    {
        var result = await AwsIpRanges.ParseAsync("""{"syncToken": "1", "createDate": "2026-01-02-03-04-05", "prefixes": [{"ip_prefix": "x/1", "region": "r", "service": "S3"}]}""", TestContext.Current.CancellationToken);
        Assert.Equal("Not an AWS ip-ranges.json: 'ip_prefix' 'x/1' is not an IP address or CIDR block (at byte 70).", result.Error); // the entry's {
    }

    /// <summary>A stream that hands out at most 7 bytes a read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);
    }
}
