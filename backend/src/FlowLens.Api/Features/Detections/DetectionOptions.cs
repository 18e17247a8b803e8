using System.ComponentModel.DataAnnotations;

namespace FlowLens.Api.Features.Detections;

/// <summary>How and when rules are evaluated (<c>FlowLens:Detections</c>, docs/detections.md).</summary>
public sealed class DetectionOptions
{
    public const string Section = "FlowLens:Detections";

    /// <summary>A window is judged once the sources' newest records are this many minutes past its end (records arrive out of order).</summary>
    [Range(0, 1440)]
    public int GraceMinutes { get; set; } = 10;

    /// <summary>When the evaluation job runs: a cron expression (default every minute).</summary>
    [Required]
    public string Interval { get; set; } = "* * * * *";

    /// <summary>How far back a new rule (or the first start) begins, and how long late data re-evaluates a judged window, in hours.</summary>
    [Range(1, 24 * 31)]
    public int LookbackHours { get; set; } = 24;

    /// <summary>A source that ingested no records for this many minutes stops holding the watermark back (idle or dead).</summary>
    [Range(1, 7 * 24 * 60)]
    public int SourceIdleMinutes { get; set; } = 60;

    /// <summary>At most this many windows per rule per run (new ones, and as many again judged anew): a backlog is caught up in steps, oldest first.</summary>
    [Range(1, 10_000)]
    public int MaxWindowsPerRun { get; set; } = 96;
}
