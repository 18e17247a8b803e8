using System.Globalization;
using System.Text.RegularExpressions;

namespace FlowLens.Core.Queries;

/// <summary>
/// The <c>from</c>/<c>to</c> of a query on the flows' <c>start</c>: ISO 8601 instants with an offset
/// (<c>2024-11-24T00:00:00Z</c>) or relative to now (<c>now</c>, <c>now-15m</c>, <c>now-24h</c>, <c>now-7d</c>).
/// <c>from</c> is inclusive, <c>to</c> exclusive; the default is the last hour.
/// </summary>
public readonly partial record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The range, or an error naming the parameter at fault.</summary>
    public static (TimeRange Range, string? Field, string? Error) Parse(string? from, string? to, DateTimeOffset now)
    {
        if (!TryInstant(to, now, now, out var end))
        {
            return (default, "to", InstantError(to));
        }
        if (!TryInstant(from, now, now.AddHours(-1), out var start))
        {
            return (default, "from", InstantError(from));
        }
        return start < end
            ? (new TimeRange(start, end), null, null)
            : (default, "from", "from must be before to");
    }

    /// <summary>One instant written like <c>from</c> and <c>to</c>, in UTC; <paramref name="now"/> when absent.</summary>
    public static bool TryParseInstant(string? text, DateTimeOffset now, out DateTimeOffset instant) => TryInstant(text, now, now, out instant);

    /// <summary>What a bad instant's 400 says.</summary>
    public static string InstantError(string? text) => $"'{text}' is not an ISO 8601 time with an offset (2024-11-24T00:00:00Z) or now-<n><s|m|h|d>";

    private static bool TryInstant(string? text, DateTimeOffset now, DateTimeOffset fallback, out DateTimeOffset instant)
    {
        instant = fallback;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        var relative = Relative().Match(text.Trim());
        if (relative.Success)
        {
            if (!relative.Groups[1].Success)
            {
                instant = now;
                return true;
            }
            var unitSeconds = relative.Groups[3].Value.ToLowerInvariant() switch { "s" => 1L, "m" => 60L, "h" => 3600L, _ => 86400L };
            // Ten years at most: further is a typo, and would overflow the calendar.
            if (!long.TryParse(relative.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 3650L * 86400 / unitSeconds)
            {
                return false;
            }
            var span = TimeSpan.FromSeconds(amount * unitSeconds);
            instant = relative.Groups[1].Value == "-" ? now - span : now + span;
            return true;
        }
        // An offset is required: a time without one is ambiguous for a tool that works in UTC.
        var trimmed = text.Trim();
        if (!WithOffset().IsMatch(trimmed) ||
            !DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }
        instant = parsed.ToUniversalTime();
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex WithOffset();

    [GeneratedRegex(@"^now(?:([+-])(\d+)([smhd]))?$", RegexOptions.IgnoreCase)]
    private static partial Regex Relative();
}
