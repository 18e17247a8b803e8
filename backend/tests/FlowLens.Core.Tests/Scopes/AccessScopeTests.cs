using FlowLens.Core.Filters;
using FlowLens.Core.Scopes;

namespace FlowLens.Core.Tests.Scopes;

public sealed class AccessScopeTests
{
    [Fact]
    public void AScope_IsSortedWithoutRepeats_AndNothingIsEverything()
    {
        var (scope, _, error) = AccessScope.Create([" 222222222222", "111111111111", "222222222222"], ["VPC-0123456789ABCDEF0", "vpc-01234567"]);
        Assert.Null(error);
        Assert.Equal(["111111111111", "222222222222"], scope!.Accounts);
        Assert.Equal(["vpc-01234567", "vpc-0123456789abcdef0"], scope.Vpcs);
        Assert.False(scope.IsEverything);
        Assert.True(AccessScope.Create(null, []).Scope!.IsEverything);
        Assert.Equal(AccessScope.Of(["111111111111"], null), AccessScope.Of(["111111111111", "111111111111"], []));
    }

    [Theory]
    [InlineData("accounts", "11111111111")]
    [InlineData("accounts", "1111111111111")]
    [InlineData("accounts", "11111111111a")]
    [InlineData("accounts", "111111111111' or 1=1 --")]
    [InlineData("accounts", "111111111111) or account-id != (1")]
    [InlineData("accounts", "")]
    [InlineData("vpcs", "vpc-0123")]
    [InlineData("vpcs", "vpc-0123456789abcdefg")]
    [InlineData("vpcs", "subnet-01234567")]
    [InlineData("vpcs", "vpc-01234567 or true")]
    public void AValueThatIsNotAnIdOfItsKind_IsRefused_WithItsField(string field, string value)
    {
        var (scope, refused, error) = field == "accounts" ? AccessScope.Create([value], null) : AccessScope.Create(null, [value]);
        Assert.Null(scope);
        Assert.Equal(field, refused);
        Assert.NotNull(error);
    }

    [Fact]
    public void AtMost200OfEach()
    {
        Assert.NotNull(AccessScope.Create(Enumerable.Range(0, 200).Select(i => $"{i:D12}"), null).Scope);
        Assert.Equal("accounts", AccessScope.Create(Enumerable.Range(0, 201).Select(i => $"{i:D12}"), null).Field);
        Assert.Equal("vpcs", AccessScope.Create(null, Enumerable.Range(0, 201).Select(i => $"vpc-{i:x8}")).Field);
    }

    [Fact]
    public void TheFilter_IsTheAccountsOrTheVpcs_AndIsAndedWithTheCallers()
    {
        var scope = AccessScope.Of(["111111111111", "222222222222"], ["vpc-01234567"]);
        var filter = scope.Filter;
        var or = Assert.IsType<OrNode>(filter);
        var accounts = Assert.IsType<ComparisonNode>(or.Left);
        Assert.Equal(("account-id", FilterOperator.In), (accounts.Field.Name, accounts.Operator));
        Assert.Equal(["111111111111", "222222222222"], accounts.Values.Select(v => v.Text));
        Assert.Equal("vpc-id", Assert.IsType<ComparisonNode>(or.Right).Field.Name);

        var mine = FilterParser.Parse("not account-id = 111111111111").Root;
        var and = Assert.IsType<AndNode>(scope.Restrict(mine));
        Assert.Same(filter is null ? null : and.Right, mine);
        Assert.Null(AccessScope.Everything.Restrict(null));
        Assert.Same(mine, AccessScope.Everything.Restrict(mine));
        Assert.IsType<ComparisonNode>(AccessScope.Of(["111111111111"], null).Restrict(null));
    }

    [Fact]
    public void TheUnion_OfScopes_IsEverythingWhenOneIs()
    {
        var a = AccessScope.Of(["111111111111"], null);
        var b = AccessScope.Of(["222222222222"], ["vpc-01234567"]);
        Assert.Equal(AccessScope.Of(["111111111111", "222222222222"], ["vpc-01234567"]), AccessScope.Union([a, b]));
        Assert.True(AccessScope.Union([a, AccessScope.Everything]).IsEverything);
    }
}
