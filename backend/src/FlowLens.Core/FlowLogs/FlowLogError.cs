namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Why a line (or a Parquet row) was skipped: its 1-based number, the 1-based character column where the bad
/// value starts (0 when the whole line is at fault), the field, the reason and the line's text (cut to 300 chars).
/// </summary>
public sealed record FlowLogError(long Line, int Column, string? Field, string Reason, string Text)
{
    public const int MaxTextLength = 300;

    /// <summary>
    /// Text from the input made safe to store and show: cut to <see cref="MaxTextLength"/> (by default), control characters
    /// (NUL above all: PostgreSQL's text and jsonb refuse it) and lone surrogates replaced by U+FFFD.
    /// </summary>
    public static string Printable(ReadOnlySpan<char> text, int maxLength = MaxTextLength)
    {
        text = text[..Math.Min(text.Length, maxLength)];
        var clean = true;
        foreach (var c in text)
        {
            clean &= c is >= ' ' and not '\x7f' and not (>= '\ud800' and <= '\udfff') || c == '\t';
        }
        if (clean)
        {
            return text.ToString();
        }
        // Round-tripping through UTF-8 turns lone surrogates into U+FFFD and keeps pairs.
        var chars = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text.ToArray())).ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is < ' ' or '\x7f' && chars[i] != '\t')
            {
                chars[i] = '\ufffd';
            }
        }
        return new string(chars);
    }

    public override string ToString() =>
        $"line {Line}{(Column > 0 ? $", column {Column}" : "")}{(Field is null ? "" : $" ({Field})")}: {Reason}";
}

/// <summary>What a reader found next.</summary>
public enum FlowReadResult
{
    /// <summary>A record is in <see cref="IFlowLogReader.Record"/>.</summary>
    Record,
    /// <summary>A malformed line was skipped; <see cref="IFlowLogReader.Error"/> says why. Reading goes on.</summary>
    LineError,
    /// <summary>The object is unreadable (not gzip, truncated, not Parquet); <see cref="IFlowLogReader.Error"/> says why.
    /// Nothing it yielded should be stored.</summary>
    ObjectError,
    /// <summary>The object was read to its end.</summary>
    End,
}

/// <summary>Reads flow log records from one object (a text file, gzip or not, or a Parquet file).</summary>
public interface IFlowLogReader : IAsyncDisposable
{
    /// <summary>Reads on; never throws on bad data (only on I/O failures of the underlying stream, or cancellation).</summary>
    ValueTask<FlowReadResult> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>The last record read; the same instance is refilled by each read.</summary>
    FlowRecord Record { get; }

    /// <summary>Where <see cref="Record"/> is in the object: its line (text, 1-based, the header included) or row (Parquet, 1-based).</summary>
    long Line { get; }

    /// <summary>The format of <see cref="Record"/>.</summary>
    FlowLogFormat Format { get; }

    /// <summary>The last line or object error.</summary>
    FlowLogError? Error { get; }

    /// <summary>Warnings about the data that did not stop it being read (unknown fields).</summary>
    IReadOnlyList<string> Warnings { get; }
}
