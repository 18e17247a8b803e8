using FlowLens.Api.Hosting;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>The one reading of an AllowedHosts setting, shared by notifications and threat lists.</summary>
public sealed class HostListTests
{
    [Theory]
    [InlineData("mirror.internal", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.1:8080", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("::1", true)]
    [InlineData(" hooks.example.org ", true)]
    [InlineData("", false)]
    [InlineData("http://mirror.internal", false)]
    [InlineData("user@mirror.internal", false)]
    [InlineData("mirror.internal/path", false)]
    [InlineData("mirror.internal?x=1", false)]
    [InlineData("mirror.internal:99999", false)]
    public void IsEntry_TakesAHostOrAddress_WithAnOptionalPort(string entry, bool valid) => Assert.Equal(valid, HostList.IsEntry(entry));

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 80, true)]
    [InlineData("127.0.0.1", "127.0.0.1", 9000, true)] // no port: every port
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, true)]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8081, false)]
    [InlineData("127.0.0.1:80", "127.0.0.1", 443, false)] // :80 written is a port, not "any"
    [InlineData("Mirror.Internal", "mirror.internal.", 443, true)] // case and the root's dot do not matter
    [InlineData("::1", "[::1]", 8080, true)]
    [InlineData("[::1]:8080", "::1", 8080, true)]
    [InlineData("[::1]:8080", "[::1]", 8081, false)]
    [InlineData("mirror.internal", "evil-mirror.internal", 443, false)]
    [InlineData("mirror.internal", "mirror.internal.evil.example", 443, false)]
    public void Contains_MatchesTheHostAndThePortIfGiven(string entry, string host, int port, bool listed) =>
        Assert.Equal(listed, new HostList([entry]).Contains(host, port));

    [Fact]
    public void ABadEntry_IsRefusedWhenTheListIsMade() => Assert.Throws<ArgumentException>(() => new HostList(["http://x/"]));
}
