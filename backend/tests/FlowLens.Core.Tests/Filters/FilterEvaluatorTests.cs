using FlowLens.Core.Context;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.Filters;

/// <summary>
/// Each kind of field and operator judged on records in memory, with the answers FilterSql gives in PostgreSQL
/// (the oracle test in FlowLens.Api.Tests checks the same against stored rows, at random).
/// </summary>
public sealed class FilterEvaluatorTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static FlowAddress Ip(string text) => FlowAddress.TryParse(text, out var a) ? a : throw new FormatException(text);

    // A v5-style TCP record, a NODATA one (no addresses, ports, protocol, counts, action), and an IPv6 one.
    private static FlowRecord Tcp() => new()
    {
        Version = 5, AccountId = "123456789012", InterfaceId = "eni-a", SrcAddr = Ip("10.0.0.1"), DstAddr = Ip("203.0.113.9"),
        SrcPort = 40001, DstPort = 22, Protocol = 6, Packets = 5, Bytes = 500, Start = At, End = At.AddMinutes(1),
        Action = FlowAction.Accept, LogStatus = LogStatus.Ok, VpcId = "vpc-1", SubnetId = "subnet-1", InstanceId = "i-1",
        TcpFlags = TcpFlags.Syn | TcpFlags.Ack, Type = TrafficType.IPv4, PktSrcAddr = Ip("10.0.0.1"), PktDstAddr = Ip("203.0.113.9"),
        Region = "eu-west-1", AzId = "euw1-az1", PktDstAwsService = "S3", FlowDirection = FlowDirection.Egress, TrafficPath = 8,
    };

    private static FlowRecord NoData() => new()
    {
        Version = 5, AccountId = "123456789012", InterfaceId = "eni-b", Start = At, End = At.AddMinutes(1), LogStatus = LogStatus.NoData,
    };

    private static FlowRecord V6() => new()
    {
        Version = 2, InterfaceId = "eni-c", SrcAddr = Ip("2001:db8::1"), DstAddr = Ip("::ffff:10.0.0.1"), SrcPort = 443, DstPort = 50000,
        Protocol = 17, Packets = 1, Bytes = 100, Start = At, Action = FlowAction.Reject, LogStatus = LogStatus.Ok, Type = TrafficType.IPv6,
    };

    private static bool Judge(string filter, FlowRecord record)
    {
        var (root, error) = FilterParser.Parse(filter);
        Assert.Null(error);
        return FilterEvaluator.Compile(root)(record);
    }

    private static string Which(string filter) =>
        string.Concat(new[] { Tcp(), NoData(), V6() }.Select((r, i) => Judge(filter, r) ? "TNV"[i].ToString() : ""));

    [Theory]
    [InlineData("", "TNV")]
    [InlineData("dstport = 22", "T")]
    [InlineData("dstport != 22", "V")]
    [InlineData("not dstport = 22", "NV")]
    [InlineData("not dstport != 22", "TN")]
    [InlineData("dstport in (22, 50000)", "TV")]
    [InlineData("dstport not in (22, 3389)", "V")]
    [InlineData("not dstport not in (22, 3389)", "TN")]
    [InlineData("dstport < 22", "")]
    [InlineData("dstport <= 22", "T")]
    [InlineData("dstport > 22", "V")]
    [InlineData("dstport >= 22", "TV")]
    [InlineData("not dstport >= 22", "N")]
    [InlineData("dstport > 9223372036854775807", "")]
    [InlineData("dstport <= 9223372036854775807", "TV")]
    [InlineData("port = 443", "V")]
    [InlineData("port != 443", "T")]
    [InlineData("port < 100", "T")]
    [InlineData("packets > 1 and bytes >= 500", "T")]
    [InlineData("version = 5", "TN")]
    [InlineData("tcp-flags = 18", "T")]
    [InlineData("tcp-flags != 2", "T")]
    [InlineData("traffic-path in (1, 8)", "T")]
    public void Numbers(string filter, string expected) => Assert.Equal(expected, Which(filter));

    [Theory]
    [InlineData("protocol = tcp", "T")]
    [InlineData("protocol in (udp, icmp)", "V")]
    [InlineData("protocol != tcp", "V")]
    [InlineData("protocol < 10", "T")]
    [InlineData("action = reject", "V")]
    [InlineData("action != ACCEPT", "V")]
    [InlineData("log-status = nodata", "N")]
    [InlineData("log-status not in (OK)", "N")]
    [InlineData("type = IPv6", "V")]
    [InlineData("type != IPv6", "T")]
    [InlineData("flow-direction = egress", "T")]
    [InlineData("flow-direction != ingress", "T")]
    public void Enums_ByName(string filter, string expected) => Assert.Equal(expected, Which(filter));

    [Theory]
    [InlineData("srcaddr = 10.0.0.1", "T")]
    [InlineData("srcaddr = 10.0.0.0/8", "T")]
    [InlineData("srcaddr = 10.9.9.9/8", "T")] // host bits in the block are ignored, as inet's <<= does
    [InlineData("srcaddr = 10.0.0.0/32", "")]
    [InlineData("srcaddr = 0.0.0.0/0", "T")]
    [InlineData("srcaddr = ::/0", "V")]
    [InlineData("srcaddr = 2001:db8::/32", "V")]
    [InlineData("srcaddr != 2001:db8::/32", "T")]
    [InlineData("dstaddr = 10.0.0.0/8", "")] // ::ffff:10.0.0.1 is IPv6 to PostgreSQL
    [InlineData("dstaddr = ::ffff:10.0.0.1", "V")]
    [InlineData("dstaddr = ::ffff:0:0/96", "V")]
    [InlineData("addr = 10.0.0.1", "T")]
    [InlineData("addr = ::ffff:10.0.0.1", "V")]
    [InlineData("addr != 10.0.0.0/8", "V")]
    [InlineData("not addr = 10.0.0.0/8", "NV")]
    [InlineData("dstaddr in (203.0.113.0/24, 2001:db8::/32)", "T")]
    [InlineData("addr in (203.0.113.0/24, 2001:db8::/32)", "TV")]
    [InlineData("addr not in (203.0.113.0/24, 2001:db8::/32)", "")]
    [InlineData("pkt-dstaddr = 203.0.113.9", "T")]
    [InlineData("pkt-srcaddr != 1.2.3.4", "T")]
    public void Addresses_WithCidrContainment(string filter, string expected) => Assert.Equal(expected, Which(filter));

    [Theory]
    [InlineData("interface-id = eni-a", "T")]
    [InlineData("interface-id = ENI-A", "")]
    [InlineData("interface-id = eni-*", "")] // text is whole: globs are the context fields'
    [InlineData("interface-id != eni-a", "NV")]
    [InlineData("interface-id in (eni-a, 'eni-b')", "TN")]
    [InlineData("interface-id not in (eni-a, eni-b)", "V")]
    [InlineData("vpc-id != vpc-never-seen", "T")]
    [InlineData("account-id = 123456789012", "TN")]
    [InlineData("pkt-dst-aws-service = S3", "T")]
    [InlineData("pkt-src-aws-service != S3", "")]
    [InlineData("region = eu-west-1 and az-id = euw1-az1", "T")]
    [InlineData("ecs-cluster-name != x", "")]
    public void Text_WholeAndCaseSensitive(string filter, string expected) => Assert.Equal(expected, Which(filter));

    [Theory]
    [InlineData("dstport != 22 or not dstport != 22", "TNV")]
    [InlineData("not (dstport = 22 or action = reject)", "N")]
    [InlineData("not (dstport != 22 and action != accept)", "TN")]
    [InlineData("not not port = 443", "V")]
    [InlineData("protocol = tcp and not (srcaddr = 10.0.0.0/8)", "")]
    [InlineData("log-status = nodata or bytes > 0 and dstport = 50000", "NV")]
    public void NotNegatesAWholeComparison_AndOrAsInSql(string filter, string expected) => Assert.Equal(expected, Which(filter));

    private static ContextNode Context(string filter, ContextMatch match) => new((ComparisonNode)FilterParser.Parse(filter).Root!, match);

    private static string Which(FilterNode node) =>
        string.Concat(new[] { Tcp(), NoData(), V6() }.Select((r, i) => FilterEvaluator.Compile(node)(r) ? "TNV"[i].ToString() : ""));

    [Theory]
    [InlineData("dst-country = XX", "{[203.0.113.0,203.0.113.255]}", "T")]
    [InlineData("dst-country != XX", "{[203.0.113.0,203.0.113.255]}", "V")]
    [InlineData("country = XX", "{[203.0.113.0,203.0.113.255]}", "T")]
    [InlineData("country != XX", "{[203.0.113.0,203.0.113.255]}", "V")]
    [InlineData("src-network = prod", "{[10.0.0.0,10.0.0.0],[10.0.0.2,10.255.255.255]}", "")]
    [InlineData("src-network = prod", "{[9.0.0.0,10.0.0.1],[2001:db8::,2001:db8::ffff]}", "TV")]
    [InlineData("src-threat-list = x", "{}", "")]
    [InlineData("src-threat-list != x", "{}", "TV")]
    [InlineData("dst-aws-service = S3", "{[::ffff:0.0.0.0,::ffff:255.255.255.255]}", "V")]
    [InlineData("dst-aws-service = S3", "{[0.0.0.0,255.255.255.255]}", "T")]
    [InlineData("dst-asn = 1", "{[203.0.113.9,::ffff:10.0.0.1]}", "TV")] // a range across families: the rest of IPv4, the start of IPv6
    [InlineData("dst-asn = 1", "{(203.0.113.8,203.0.113.9)}", "")] // exclusive bounds
    public void AddressSets_FromTheirMultirange(string filter, string multirange, string expected) =>
        Assert.Equal(expected, Which(Context(filter, new AddressSetMatch(multirange, 1))));

    [Fact]
    public void AddressSets_OfManyRanges_AreSearchedByBisection()
    {
        var ranges = Enumerable.Range(0, 5000).Select(i => AddressRange.Of(true, (UInt128)(0x0B000000u + (uint)i * 256), 25)).ToList();
        var node = Context("dst-network = big", new AddressSetMatch(AddressRanges.ToMultirange(ranges), ranges.Count));
        var test = FilterEvaluator.Compile(node);
        foreach (var (address, expected) in new[] { ("11.0.0.0", true), ("11.0.0.127", true), ("11.0.0.128", false), ("11.0.19.135", false), ("11.0.19.99", true), ("11.0.20.0", true), ("11.19.135.127", true), ("11.19.136.0", false), ("10.255.255.255", false) })
        {
            Assert.Equal(expected, test(new FlowRecord { DstAddr = Ip(address) }));
        }
    }

    [Fact]
    public void InterfaceSets_Always_OrDuringASpanHoldingTheStart()
    {
        var during = new InterfaceSpan("eni-b", At.AddMinutes(-5), At);
        var node = Context("instance-name = web-*", new InterfaceSetMatch(["eni-a"], [during, new InterfaceSpan("eni-c", At, At.AddSeconds(1))]));
        Assert.Equal("TV", Which(node)); // eni-b's span ends at its start: [from, to)
        var negative = Context("instance-name != web-*", new InterfaceSetMatch(["eni-a"], [during]));
        Assert.Equal("NV", Which(negative));
        var test = FilterEvaluator.Compile(negative);
        Assert.False(test(new FlowRecord { Start = At })); // no interface: neither = nor !=
        Assert.False(test(new FlowRecord { InterfaceId = "eni-b", Start = At.AddMinutes(-1) }));
        Assert.True(test(new FlowRecord { InterfaceId = "eni-b", Start = null })); // a span needs a start to hold it
        Assert.False(FilterEvaluator.Compile(Context("security-group = sg-1", new InterfaceSetMatch([], [during])))(new FlowRecord { InterfaceId = "eni-b" }));
    }

    [Theory]
    [InlineData("dst-country = CN")]
    [InlineData("dstport = 22 and not (instance-name = web or threat-list in (a, b))")]
    public void UnresolvedContext_IsRefusedAtCompile_NamingTheField(string filter)
    {
        var root = FilterParser.Parse(filter).Root!;
        Assert.False(FilterEvaluator.CanCompile(root));
        var error = Assert.Throws<NotSupportedException>(() => FilterEvaluator.Compile(root));
        Assert.Contains($"'{FilterTree.Comparisons(root).First(c => c.Field.Kind == FilterKind.Context).Field.Name}'", error.Message);
        Assert.Contains("ResolveAsync", error.Message);
    }

    private sealed record OtherMatch : ContextMatch;

    private sealed record OtherNode() : FilterNode(1);

    [Fact]
    public void UnknownNodes_AreRefusedAtCompile()
    {
        var odd = Context("dst-country = CN", new OtherMatch());
        Assert.False(FilterEvaluator.CanCompile(odd));
        Assert.Contains("'dst-country'", Assert.Throws<NotSupportedException>(() => FilterEvaluator.Compile(odd)).Message);
        Assert.False(FilterEvaluator.CanCompile(new AndNode(FilterParser.Parse("port = 1").Root!, new OtherNode())));
        Assert.True(FilterEvaluator.CanCompile(null));
        Assert.True(FilterEvaluator.CanCompile(FilterParser.Parse("port = 1 and not addr = ::/0").Root));
    }

    [Fact]
    public void EveryFieldThatIsNotContext_Compiles()
    {
        foreach (var field in FilterFields.All.Where(f => f.Kind != FilterKind.Context))
        {
            var value = field.Kind switch
            {
                FilterKind.Enum => field.Codes.Keys.First(),
                _ => field.Examples.FirstOrDefault() ?? "x",
            };
            var root = FilterParser.Parse($"{field.Name} != '{value}'").Root!;
            Assert.True(FilterEvaluator.CanCompile(root), field.Name);
            Assert.False(FilterEvaluator.Compile(root)(new FlowRecord()), field.Name);
        }
    }

    [Fact]
    public void JudgingARecord_AllocatesNothing()
    {
        var ranges = new AddressSetMatch("{[10.0.0.0,10.255.255.255],[2001:db8::,2001:db8::ffff]}", 2);
        var filter = new AndNode(
            FilterParser.Parse("(addr in (10.0.0.0/8, 2001:db8::/32) or interface-id in (eni-a, eni-b)) and not dstport in (23, 3389) and protocol != udp and bytes >= 0 and vpc-id != x").Root!,
            new OrNode(Context("src-network = prod", ranges), Context("instance-name != web", new InterfaceSetMatch(["eni-z"], [new InterfaceSpan("eni-b", At, At.AddHours(1))]))));
        var test = FilterEvaluator.Compile(filter);
        FlowRecord[] records = [Tcp(), NoData(), V6()];
        var matched = 0;
        foreach (var record in records)
        {
            matched += test(record) ? 1 : 0; // warm up (JIT)
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 30_000; i++)
        {
            matched += test(records[i % 3]) ? 1 : 0;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(matched > 0);
    }
}
