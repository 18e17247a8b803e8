using FlowLens.Core.Queries;

namespace FlowLens.Core.Tests.Queries;

public sealed class TimeRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null, "2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z")]
    [InlineData("now-24h", "now", "2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z")]
    [InlineData("now-15m", null, "2026-11-25T11:45:00Z", "2026-11-25T12:00:00Z")]
    [InlineData("now-7d", "now-1d", "2026-11-18T12:00:00Z", "2026-11-24T12:00:00Z")]
    [InlineData("NOW-30S", "now+1h", "2026-11-25T11:59:30Z", "2026-11-25T13:00:00Z")]
    [InlineData("2024-11-24T00:00:00Z", "2024-11-25T00:00:00Z", "2024-11-24T00:00:00Z", "2024-11-25T00:00:00Z")]
    [InlineData("2024-11-24T02:00:00+02:00", "2024-11-24T01:00:00.5Z", "2024-11-24T00:00:00Z", "2024-11-24T01:00:00.5Z")]
    public void Range_IsReadAsUtc(string? from, string? to, string expectedFrom, string expectedTo)
    {
        var (range, field, error) = TimeRange.Parse(from, to, Now);
        Assert.Null(error);
        Assert.Null(field);
        Assert.Equal(DateTimeOffset.Parse(expectedFrom, System.Globalization.CultureInfo.InvariantCulture), range.From);
        Assert.Equal(DateTimeOffset.Parse(expectedTo, System.Globalization.CultureInfo.InvariantCulture), range.To);
        Assert.Equal(TimeSpan.Zero, range.From.Offset);
    }

    [Theory]
    [InlineData("yesterday", null, "from")]
    [InlineData("2024-11-24T00:00:00", null, "from")]
    [InlineData("now-5y", null, "from")]
    [InlineData("now-99999999d", null, "from")]
    [InlineData(null, "now-", "to")]
    [InlineData("now", "now-1h", "from")]
    [InlineData("now-1h", "now-1h", "from")]
    public void BadRange_NamesTheParameter(string? from, string? to, string expectedField)
    {
        var (_, field, error) = TimeRange.Parse(from, to, Now);
        Assert.Equal(expectedField, field);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData(null, "2026-11-25T12:00:00Z")]
    [InlineData("now-1d", "2026-11-24T12:00:00Z")]
    [InlineData("2024-11-24T02:00:00+02:00", "2024-11-24T00:00:00Z")]
    public void Instant_IsReadLikeFromAndTo_NowWhenAbsent(string? text, string expected)
    {
        Assert.True(TimeRange.TryParseInstant(text, Now, out var instant));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), instant);
        Assert.Equal(TimeSpan.Zero, instant.Offset);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2024-11-24T00:00:00")]
    public void BadInstant_IsRefused(string text) => Assert.False(TimeRange.TryParseInstant(text, Now, out _));
}
