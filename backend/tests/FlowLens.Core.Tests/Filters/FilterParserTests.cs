using FlowLens.Core.Filters;

namespace FlowLens.Core.Tests.Filters;

public sealed class FilterParserTests
{
    [Theory]
    [InlineData("action = REJECT and dstport = 22", "(coalesce((action = $1), false) and coalesce((dstport = $2), false))", "2|22")]
    [InlineData("pkt-dst-aws-service = S3 and traffic-path = 8",
        "(coalesce((pkt_dst_aws_service in (select id from flow_strings where value = $1)), false) and coalesce((traffic_path = $2), false))", "S3|8")]
    [InlineData("not (srcaddr = 10.0.0.0/8) and dstport in (22, 3389)",
        "((not coalesce((srcaddr <<= $1::inet), false)) and coalesce((dstport = any($2)), false))", "10.0.0.0/8|22,3389")]
    [InlineData("protocol = tcp", "coalesce((protocol = $1), false)", "6")]
    [InlineData("PROTOCOL = 6", "coalesce((protocol = $1), false)", "6")]
    [InlineData("action = reject", "coalesce((action = $1), false)", "2")]
    [InlineData("type = IPv6", "coalesce((type = $1), false)", "2")]
    [InlineData("addr != 192.168.0.0/16", "coalesce(not ((srcaddr <<= $1::inet) or (dstaddr <<= $2::inet)), false)", "192.168.0.0/16|192.168.0.0/16")]
    [InlineData("port >= 1024", "coalesce((srcport >= $1) or (dstport >= $2), false)", "1024|1024")]
    [InlineData("dstaddr in (10.0.0.0/8, 172.16.0.0/12)", "coalesce((dstaddr <<= $1::inet or dstaddr <<= $2::inet), false)", "10.0.0.0/8|172.16.0.0/12")]
    [InlineData("srcaddr = 2001:db8::/32", "coalesce((srcaddr <<= $1::inet), false)", "2001:db8::/32")]
    [InlineData("interface-id not in ('eni-1', eni-2)", "(interface_id is not null and coalesce(not ((interface_id in (select id from flow_strings where value = any($1)))), false))", "eni-1,eni-2")]
    [InlineData("a = 1", null, null)]
    public void Filter_BuildsParameterisedSql(string filter, string? sql, string? parameters)
    {
        var (root, error) = FilterParser.Parse(filter);
        if (sql is null)
        {
            Assert.NotNull(error);
            return;
        }
        Assert.Null(error);
        var built = FilterSql.Build(root!);
        Assert.Equal(sql, built.Sql);
        Assert.Equal(parameters, string.Join('|', built.Parameters.Select(p => p is Array a ? string.Join(',', a.Cast<object>()) : p.ToString())));
    }

    [Fact]
    public void AndBindsTighterThanOr_AndParenthesesOverride()
    {
        Assert.IsType<OrNode>(FilterParser.Parse("dstport = 1 or dstport = 2 and action = accept").Root);
        Assert.IsType<AndNode>(FilterParser.Parse("(dstport = 1 or dstport = 2) and action = accept").Root);
        Assert.IsType<NotNode>(FilterParser.Parse("not not dstport = 1").Root);
    }

    [Fact]
    public void EmptyFilter_MatchesEverything() => Assert.Equal((null, null), FilterParser.Parse("  "));

    [Theory]
    [InlineData("foo = 1", 1, "unknown field 'foo'")]
    [InlineData("srcaddr = 10.0.0.0/33", 11, "'10.0.0.0/33' is not an IP address or CIDR block")]
    [InlineData("dstport = ssh", 11, "'ssh' is not a whole number")]
    [InlineData("protocol = bogus", 12, "'bogus' is not a protocol number (0-255) or name (tcp, udp, icmp...)")]
    [InlineData("action = MAYBE", 10, "'MAYBE' is not one of ACCEPT, REJECT")]
    [InlineData("srcaddr > 10.0.0.1", 9, "'srcaddr' can be compared with =, !=, in and not in only")]
    [InlineData("dstport 22", 9, "expected =, !=, <, <=, >, >=, in or not in after 'dstport'")]
    [InlineData("dstport =", 10, "expected a value for 'dstport', found the end of the filter")]
    [InlineData("(dstport = 22", 14, "expected ')' to close the '(' at character 1")]
    [InlineData("dstport = 22 dstport = 23", 14, "unexpected 'dstport'")]
    [InlineData("dstport in 22", 12, "expected '(' to start the list of values")]
    [InlineData("dstport in (22 23)", 16, "expected ',' or ')' in the list of values")]
    [InlineData("srcaddr = '10.0.0.1", 11, "the quoted value is not closed")]
    [InlineData("dstport ! 22", 9, "'!' must be followed by '=' (use 'not' to negate)")]
    [InlineData("and", 1, "expected a field name, found 'and'")]
    [InlineData("dstport = 22 and", 17, "expected a field name, found the end of the filter")]
    public void BadFilter_SaysWhatAndWhere(string filter, int position, string message) =>
        Assert.Equal(new FilterError(position, message), FilterParser.Parse(filter).Error);

    [Theory]
    [InlineData("(", 3, "parentheses and 'not' are nested more than 2 deep")]
    [InlineData("not ", 9, "parentheses and 'not' are nested more than 2 deep")]
    public void Nesting_PastTheLimit_IsAnError(string opener, int position, string message)
    {
        var limits = new FilterLimits(MaxLength: 1_000_000, MaxDepth: 2);
        Assert.Null(FilterParser.Parse(Nested(opener, 2), limits).Error);
        Assert.Equal(new FilterError(position, message), FilterParser.Parse(Nested(opener, 3), limits).Error);
        // Far deeper than any stack allows: still an answer, not a crash.
        Assert.Equal(new FilterError(position, message), FilterParser.Parse(Nested(opener, 200_000), limits).Error);
    }

    [Fact]
    public void Filter_LongerThanTheLimit_IsAnError()
    {
        var filter = "dstport in (" + string.Join(", ", Enumerable.Range(1, 500)) + ")";
        Assert.Null(FilterParser.Parse(filter, new FilterLimits(filter.Length, 32)).Error);
        Assert.Equal(new FilterError(filter.Length, $"the filter is longer than {filter.Length - 1} characters"),
            FilterParser.Parse(filter, new FilterLimits(filter.Length - 1, 32)).Error);
    }

    private static string Nested(string opener, int depth) =>
        string.Concat(Enumerable.Repeat(opener, depth)) + "dstport = 22" + (opener == "(" ? new string(')', depth) : "");

    [Fact]
    public void EveryField_ParsesWithItsExampleValues()
    {
        foreach (var field in FilterFields.All)
        {
            foreach (var example in field.Examples.DefaultIfEmpty("x"))
            {
                var (root, error) = FilterParser.Parse($"{field.Name} = '{example}'");
                Assert.True(error is null, $"{field.Name} = {example}: {error}");
                if (field.Kind == FilterKind.Context)
                {
                    // Context is resolved by the API first: unresolved, it never becomes SQL that would mean something else.
                    Assert.Throws<InvalidOperationException>(() => FilterSql.Build(root!));
                    root = new ContextNode((ComparisonNode)root!, new AddressSetMatch("{}", 0));
                }
                Assert.NotEmpty(FilterSql.Build(root!).Sql);
            }
        }
    }
}
