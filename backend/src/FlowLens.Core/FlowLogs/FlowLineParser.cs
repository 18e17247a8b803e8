using System.Text;
using System.Text.Unicode;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Parses one record line (ASCII bytes, fields separated by spaces) into a <see cref="FlowRecord"/>: the lines of a
/// file (<see cref="TextFlowLogReader"/>) or the message of one CloudWatch Logs event.
/// </summary>
public sealed class FlowLineParser
{
    private readonly FlowFieldInfo?[] _columns;
    private byte[] _utf8 = [];

    public FlowLineParser(FlowLogFormat format)
        : this(format, StringPool.Shared)
    {
    }

    /// <summary>A parser for a new format that keeps the strings the previous one pooled (a file switching headers).</summary>
    internal FlowLineParser(FlowLogFormat format, StringPool strings)
    {
        Format = format;
        Strings = strings;
        _columns = [.. format.Columns];
        Record = new FlowRecord { Extras = new string?[format.ExtraNames.Count] };
    }

    internal StringPool Strings { get; }

    public FlowLogFormat Format { get; }

    public FlowRecord Record { get; }

    /// <summary>
    /// Parses a line given as text (a CloudWatch Logs event's message): a line longer than
    /// <paramref name="maxLineLength"/> bytes, or with a lone surrogate (not encodable as UTF-8), is malformed.
    /// </summary>
    public bool TryParse(ReadOnlySpan<char> line, long lineNumber, int maxLineLength, out FlowLogError? error)
    {
        line = line.TrimEnd("\r\n");
        // A char is at least one byte of UTF-8, at most three: the char count rules out a huge line before encoding it.
        if (line.Length > maxLineLength)
        {
            return TooLong(line, out error);
        }
        if (_utf8.Length < line.Length * 3)
        {
            _utf8 = new byte[Math.Max(line.Length * 3, 1024)];
        }
        if (Utf8.FromUtf16(line, _utf8, out _, out var length, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            error = new FlowLogError(lineNumber, 0, null, "line is not valid Unicode (a lone surrogate)", TextOf(line));
            return false;
        }
        if (length > maxLineLength)
        {
            return TooLong(line, out error);
        }
        return TryParse(_utf8.AsSpan(0, length), lineNumber, out error);

        bool TooLong(ReadOnlySpan<char> text, out FlowLogError? tooLong)
        {
            tooLong = new FlowLogError(lineNumber, 0, null, $"line is longer than {maxLineLength} bytes", TextOf(text));
            return false;
        }
    }

    /// <summary>Fills <see cref="Record"/> from the line, or says why the line is malformed.</summary>
    public bool TryParse(ReadOnlySpan<byte> line, long lineNumber, out FlowLogError? error)
    {
        var record = Record;
        var position = 0;
        var count = 0;
        var extra = 0;
        error = null;
        while (true)
        {
            while (position < line.Length && line[position] is (byte)' ' or (byte)'\t')
            {
                position++;
            }
            if (position == line.Length)
            {
                break;
            }
            var start = position;
            var length = line[position..].IndexOfAny((byte)' ', (byte)'\t');
            position = length < 0 ? line.Length : position + length;
            // After a bad value, only count: a wrong field count is the more useful report.
            if (count < _columns.Length && error is null)
            {
                var value = line[start..position];
                var column = _columns[count];
                if (column is null)
                {
                    string? text = null;
                    if (!IsDash(value) && !Strings.TryGet(value, out text, out var reason))
                    {
                        error = new FlowLogError(lineNumber, start + 1, Format.Names[count], reason, TextOf(line));
                    }
                    record.Extras[extra++] = text;
                }
                else if (!FieldValues.TrySet(record, column, value, Strings, out var reason))
                {
                    error = new FlowLogError(lineNumber, start + 1, column.Name, reason, TextOf(line));
                }
            }
            count++;
        }
        if (count != _columns.Length)
        {
            error = new FlowLogError(lineNumber, 0, null, $"expected {_columns.Length} fields, found {count}", TextOf(line));
            return false;
        }
        return error is null;
    }

    internal static bool IsDash(ReadOnlySpan<byte> value) => value.Length == 1 && value[0] == (byte)'-';

    internal static string TextOf(ReadOnlySpan<byte> line) =>
        FlowLogError.Printable(Encoding.UTF8.GetString(line[..Math.Min(line.Length, FlowLogError.MaxTextLength)]));

    private static string TextOf(ReadOnlySpan<char> line) => FlowLogError.Printable(line);
}
