using System.Text.Json;
using FlowLens.Core.Detections;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>A rule as stored (table <c>rules</c>).</summary>
public sealed record Rule(
    long Id, string Name, string Kind, bool BuiltIn, bool Enabled, string Severity, Dictionary<string, double> Parameters, string? Filter, long? SearchId,
    string Window, string? GroupBy, string? Metric, long? Threshold, long[] ChannelIds, string MinSeverity, DateTimeOffset? EvaluatedTo,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string Columns = """
        id, name, kind, built_in, enabled, severity, parameters::text, filter, search_id, window_size, group_by, metric, threshold,
        channel_ids, min_severity, evaluated_to, created_at, updated_at
        """;

    public TimeSpan Size => DetectionWindows.Sizes[Window];

    public static Rule Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetString(5),
        JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(6)) ?? [],
        r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.GetString(9),
        r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetInt64(12),
        r.GetFieldValue<long[]>(13), r.GetString(14), r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        r.GetFieldValue<DateTimeOffset>(16), r.GetFieldValue<DateTimeOffset>(17));
}
