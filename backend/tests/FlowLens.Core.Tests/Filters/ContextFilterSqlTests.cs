using FlowLens.Core.Filters;

namespace FlowLens.Core.Tests.Filters;

public sealed class ContextFilterSqlTests
{
    private static ComparisonNode Parse(string filter) => (ComparisonNode)FilterParser.Parse(filter).Root!;

    [Theory]
    [InlineData("dst-country = cn", "CN")]
    [InlineData("src-country in (us, 'De')", "US,DE")]
    public void Country_IsTwoLettersUpperCased(string filter, string expected) =>
        Assert.Equal(expected, string.Join(',', Parse(filter).Values.Select(v => v.Text)));

    [Theory]
    [InlineData("dst-country = CHN", "two-letter")]
    [InlineData("dst-asn = ASX", "autonomous system number")]
    [InlineData("dst-asn = 99999999999", "autonomous system number")]
    [InlineData("instance-name > web", "=, !=, in and not in")]
    public void BadContextValues_SayWhy(string filter, string message) =>
        Assert.Contains(message, FilterParser.Parse(filter).Error!.Message);

    [Fact]
    public void Asn_ReadsBothSpellings() =>
        Assert.Equal([16509L, 4134L], Parse("dst-asn in (16509, as4134)").Values.Select(v => v.Number!.Value));

    [Fact]
    public void AddressSet_IsOneMultirangeParameter_TestedOnEachColumn()
    {
        var node = new ContextNode(Parse("network != prod"), new AddressSetMatch("{[10.0.0.0,10.0.255.255]}", 1));
        var (sql, parameters) = FilterSql.Build(node, firstParameter: 3);
        Assert.Equal("coalesce(not ((srcaddr <@ (select $3::text::inetmultirange)) or (dstaddr <@ (select $3::text::inetmultirange))), false)", sql);
        Assert.Equal(["{[10.0.0.0,10.0.255.255]}"], parameters);
        Assert.Equal(["srcaddr", "dstaddr"], FilterSql.Columns(node));
        Assert.Null(FilterSql.RequiredAddresses(node));
    }

    [Fact]
    public void InterfaceSet_ChecksTheStartOnlyForInterfacesThatChanged()
    {
        var at = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var node = new ContextNode(Parse("instance-name = web-*"),
            new InterfaceSetMatch(["eni-a"], [new InterfaceSpan("eni-b", at, at.AddHours(1))]));
        var (sql, parameters) = FilterSql.Build(node);
        Assert.StartsWith("coalesce((interface_id in (select id from flow_strings where value = any($1::text[]))", sql);
        Assert.Contains("start >= d.lo and start < d.hi", sql);
        Assert.Equal(4, parameters.Count);
        Assert.Equal(["eni-a"], (string[])parameters[0]);
        Assert.Equal(["eni-b"], (string[])parameters[1]);
    }

    [Theory]
    [InlineData("web-*", "web-1", true)]
    [InlineData("web-*", "WEB-", true)]
    [InlineData("web-*", "api-web-1", false)]
    [InlineData("*-db", "prod-db", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("a*a", "a", false)]
    [InlineData("S3", "s3", true)]
    [InlineData("*", "", true)]
    public void Glob_MatchesLikeAShell_IgnoringCase(string pattern, string text, bool matches) =>
        Assert.Equal(matches, Glob.Matches(pattern, text));

    [Fact]
    public void Glob_ToLike_EscapesLikesOwnWildcards() =>
        Assert.Equal("db\\_%\\%\\\\", Glob.ToLike("db_*%\\"));
}
