using FlowLens.Core.Stats;

namespace FlowLens.Core.Detections;

/// <summary>What FlowLens knows of one source's data: its newest record and when it last ingested an object with records.</summary>
public sealed record SourceProgress(DateTimeOffset NewestRecord, DateTimeOffset LastIngested);

/// <summary>
/// Data-time arithmetic of the detections (docs/detections.md): windows aligned on <see cref="Rollups.Origin"/>, the
/// watermark the sources' newest records set, and which windows a run judges.
/// </summary>
public static class DetectionWindows
{
    /// <summary>The windows a rule may use, by name.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Sizes = new Dictionary<string, TimeSpan>
    {
        ["5m"] = TimeSpan.FromMinutes(5),
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["1d"] = TimeSpan.FromDays(1),
    };

    public static bool TryParse(string? name, out TimeSpan size) => Sizes.TryGetValue(name ?? "", out size);

    /// <summary>The start of the window of <paramref name="size"/> holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset instant, TimeSpan size) => new(Rollups.BucketOf(instant, size), TimeSpan.Zero);

    /// <summary>
    /// How far data time has surely come: the oldest of the live sources' newest records, so that a source lagging
    /// behind holds windows back until its data is in. A source is live when it ingested records within
    /// <paramref name="idleAfter"/> of <paramref name="now"/>; a source idle or dead longer stops holding the others.
    /// With no live source, the newest record of any: what is stored is all there is (late objects are caught by the
    /// fingerprints). Null without any data.
    /// </summary>
    public static DateTimeOffset? Watermark(IEnumerable<SourceProgress> sources, DateTimeOffset now, TimeSpan idleAfter)
    {
        var all = sources.ToList();
        if (all.Count == 0)
        {
            return null;
        }
        var live = all.Where(s => s.LastIngested >= now - idleAfter).ToList();
        return live.Count > 0 ? live.Min(s => s.NewestRecord) : all.Max(s => s.NewestRecord);
    }

    /// <summary>The end of data time a run may judge: windows ending at or before it (watermark minus the grace).</summary>
    public static DateTimeOffset? JudgedUntil(DateTimeOffset? watermark, TimeSpan grace) => watermark - grace;

    /// <summary>
    /// The new windows of a rule to judge, oldest first, at most <paramref name="max"/>: from where it stopped
    /// (<paramref name="evaluatedTo"/>, the end of its last judged window) or, the first time or after a long stop,
    /// from the window holding <paramref name="earliest"/> (now minus the lookback); each ends at or before
    /// <paramref name="judgedUntil"/>.
    /// </summary>
    public static List<DateTimeOffset> NewWindows(DateTimeOffset? evaluatedTo, DateTimeOffset earliest, DateTimeOffset? judgedUntil, TimeSpan size, int max)
    {
        var windows = new List<DateTimeOffset>();
        if (judgedUntil is not { } until)
        {
            return windows;
        }
        var first = Floor(earliest, size);
        var start = evaluatedTo is { } done && done > first ? Floor(done, size) : first;
        for (; start + size <= until && windows.Count < max; start += size)
        {
            windows.Add(start);
        }
        return windows;
    }
}
