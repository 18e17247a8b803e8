using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>Every options class is validated at start: one setting out of its range stops FlowLens, naming it.</summary>
public sealed class OptionsValidationTests(PostgresFixture postgres)
{
    public static TheoryData<string, string> OutOfRange => new()
    {
        { "FlowLens:Queries:TimeoutSeconds", "0" }, // 0 would remove the statement timeout
        { "FlowLens:Sources:MaxListPagesPerRun", "0" },
        { "FlowLens:Retention:Days", "0" },
        { "FlowLens:Retention:RollupDays", "10" }, // fewer than the flows' 30 days
        { "FlowLens:Rollups:TopKeys", "5" },
        { "FlowLens:Rollups:ExactTopRecords", "-1" },
        { "FlowLens:Ingestion:MaxLineLength", "10" },
        { "FlowLens:Inventory:Schedule", "every hour" }, // not a cron expression
        { "FlowLens:Jobs:WorkerCount", "0" },
        { "FlowLens:Security:RequestsPerMinute", "0" },
        { "FlowLens:Auth:BootstrapAdminKey", "too-short" },
        { "FlowLens:Auth:Oidc:SessionLifetime", "00:00:00" },
        { "FlowLens:Enrichment:AwsIpRangesUrl", "file:///etc/passwd" }, // the refresh fetches http(s) only
        { "FlowLens:Enrichment:ReloadInterval", "00:00:00" },
        { "FlowLens:Demo:AwsIpRanges", "/nonexistent/ip-ranges.json" },
        { "FlowLens:ThreatLists:FetchTimeoutSeconds", "0" },
        { "FlowLens:Notifications:TimeoutSeconds", "0" },
        { "FlowLens:Detections:GraceMinutes", "-1" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task ASettingOutOfItsRange_StopsTheStart_NamingIt(string key, string value)
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting(key, value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(key.Split(':')[^1], error.ToString());
    }

    [Fact]
    public void EveryOptionsClass_HasARowAbove()
    {
        var sections = typeof(Program).Assembly.GetTypes()
            .Select(t => t.GetField("Section")?.GetValue(null) as string)
            .Where(s => s?.StartsWith("FlowLens:", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(sections);
        var tested = OutOfRange.Select(row => row.Data.Item1).ToList();
        Assert.All(sections, s => Assert.Contains(tested, k => k.StartsWith(s + ":", StringComparison.Ordinal)));
    }
}
