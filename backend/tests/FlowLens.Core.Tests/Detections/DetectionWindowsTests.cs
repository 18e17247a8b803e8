using System.Text.Json;
using FlowLens.Core.Detections;

namespace FlowLens.Core.Tests.Detections;

public sealed class DetectionWindowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(60);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public void Watermark_IsTheOldestNewestRecord_OfTheLiveSources()
    {
        var watermark = DetectionWindows.Watermark(
        [
            new(Now.AddMinutes(-4), Now.AddMinutes(-1)),
            new(Now.AddMinutes(-12), Now.AddMinutes(-2)), // lagging but alive: holds the others back
        ], Now, Idle);

        Assert.Equal(Now.AddMinutes(-12), watermark);
    }

    [Fact]
    public void Watermark_LeavesOutADeadSource_SoItDoesNotStallEveryRule()
    {
        var watermark = DetectionWindows.Watermark(
        [
            new(Now.AddMinutes(-4), Now.AddMinutes(-1)),
            new(Now.AddDays(-3), Now.AddDays(-3)), // ingested nothing for three days
        ], Now, Idle);

        Assert.Equal(Now.AddMinutes(-4), watermark);
    }

    [Fact]
    public void Watermark_WithEverySourceIdle_IsTheNewestRecordOfAny_AndNullWithoutData()
    {
        Assert.Equal(Now.AddHours(-2), DetectionWindows.Watermark([new(Now.AddHours(-5), Now.AddHours(-5)), new(Now.AddHours(-2), Now.AddHours(-2))], Now, Idle));
        Assert.Null(DetectionWindows.Watermark([], Now, Idle));
    }

    [Fact]
    public void NewWindows_StartAtTheLookback_EndBeforeTheJudgedTime_AndAreBounded()
    {
        var until = DetectionWindows.JudgedUntil(Now.AddMinutes(-3), TimeSpan.FromMinutes(10)); // 11:47
        var windows = DetectionWindows.NewWindows(null, Now.AddHours(-1).AddMinutes(2), until, FiveMinutes, max: 100);

        Assert.Equal(Now.AddHours(-1), windows[0]); // the window holding the lookback's start
        Assert.Equal(Now.AddMinutes(-20), windows[^1]); // 11:40-11:45 is the last one ending by 11:47
        Assert.Equal(9, windows.Count);
        Assert.Equal(3, DetectionWindows.NewWindows(null, Now.AddHours(-1), until, FiveMinutes, max: 3).Count);
    }

    [Fact]
    public void NewWindows_ContinueWhereTheRuleStopped_AndNoneWithoutData()
    {
        var windows = DetectionWindows.NewWindows(Now.AddMinutes(-30), Now.AddHours(-1), Now, FiveMinutes, max: 100);
        Assert.Equal([Now.AddMinutes(-30), Now.AddMinutes(-25), Now.AddMinutes(-20), Now.AddMinutes(-15), Now.AddMinutes(-10), Now.AddMinutes(-5)], windows);

        // Stopped before the lookback (disabled for long): starts again at the lookback, not in the far past.
        Assert.Equal(Now.AddHours(-1), DetectionWindows.NewWindows(Now.AddDays(-9), Now.AddHours(-1), Now, FiveMinutes, 100)[0]);
        Assert.Empty(DetectionWindows.NewWindows(null, Now.AddHours(-1), null, FiveMinutes, 100));
    }

    [Fact]
    public void Floor_AlignsDaysAndHoursOnUtcMidnight()
    {
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), DetectionWindows.Floor(Now.AddMinutes(7), TimeSpan.FromDays(1)));
        Assert.Equal(Now.AddMinutes(5), DetectionWindows.Floor(Now.AddMinutes(7), FiveMinutes));
        Assert.Equal(Now.AddMinutes(15), DetectionWindows.Floor(Now.AddMinutes(29), TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void Parameters_DefaultWhatIsMissing_AndRefuseUnknownOrOutOfRange()
    {
        var scan = Detectors.Find(Detectors.PortScan)!;
        Assert.Equal(new Dictionary<string, double> { ["minPorts"] = 50 },
            Detectors.Parameters(scan, JsonDocument.Parse("""{"minPorts": 50}""").RootElement).Values);
        Assert.Contains("not a parameter", Detectors.Parameters(scan, JsonDocument.Parse("""{"ports": 5}""").RootElement).Error);
        Assert.Contains("from 2 to 65535", Detectors.Parameters(scan, JsonDocument.Parse("""{"minPorts": 1}""").RootElement).Error);
        Assert.Equal(20, Detectors.Parameters(scan, null).Values!["minPorts"]);
    }

    [Fact]
    public void Evidence_IsTheRuleFilter_AndTheGroupsValue()
    {
        Assert.Equal("(action = REJECT) and srcaddr = 10.0.0.5", DetectionSql.Evidence("action = REJECT", "srcaddr", "10.0.0.5"));
        Assert.Equal("interface-id = 'eni-1'", DetectionSql.Evidence(null, "interface-id", "eni-1"));
    }
}
