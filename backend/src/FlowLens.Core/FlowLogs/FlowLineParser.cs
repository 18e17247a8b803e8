using System.Text;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Parses one record line (ASCII bytes, fields separated by spaces) into a <see cref="FlowRecord"/>: the lines of a
/// file (<see cref="TextFlowLogReader"/>) or the message of one CloudWatch Logs event.
/// </summary>
public sealed class FlowLineParser(FlowLogFormat format)
{
    private readonly FlowFieldInfo?[] _columns = [.. format.Columns];
    private readonly StringPool _strings = new();

    public FlowLogFormat Format { get; } = format;

    public FlowRecord Record { get; } = new() { Extras = new string?[format.ExtraNames.Count] };

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
                    record.Extras[extra++] = IsDash(value) ? null : _strings.Get(value);
                }
                else if (!FieldValues.TrySet(record, column, value, _strings, out var reason))
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
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, FlowLogError.MaxTextLength)]);
}
