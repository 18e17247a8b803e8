using System.Text;
using Parquet;
using Parquet.Schema;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Reads records from a flow log Parquet file (the S3 "Parquet" delivery option). Columns are the field names
/// with <c>_</c> for <c>-</c>; numbers may be int32 or int64. One row group is in memory at a time.
/// Parquet needs a seekable stream: download an S3 object to a temporary file first.
/// </summary>
public sealed class ParquetFlowLogReader : IFlowLogReader
{
    private readonly Stream _stream;
    private readonly FlowLogLimits _limits;
    private readonly StringPool _strings = StringPool.Shared;
    private readonly List<string> _warnings = [];
    private ParquetReader? _reader;
    private DataField[] _fields = [];
    private FlowFieldInfo?[] _columns = [];
    private int[] _extraIndex = [];
    private Array[] _values = [];
    private int _rowGroup = -1;
    private int _row;
    private int _rowCount;
    private long _rowNumber;

    /// <param name="stream">A seekable stream over the whole file; the reader disposes it.</param>
    public ParquetFlowLogReader(Stream stream, FlowLogLimits? limits = null) => (_stream, _limits) = (stream, limits ?? FlowLogLimits.Default);

    public FlowRecord Record { get; private set; } = new();

    public long Line => _rowNumber;

    public FlowLogFormat Format { get; private set; } = FlowLogFormat.Default;

    public FlowLogError? Error { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public async ValueTask<FlowReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Error is { Line: 0 })
        {
            return FlowReadResult.ObjectError;
        }
        try
        {
            if (_reader is null && !await OpenAsync(cancellationToken))
            {
                return FlowReadResult.ObjectError;
            }
            while (_row == _rowCount)
            {
                if (++_rowGroup == _reader!.RowGroupCount)
                {
                    return FlowReadResult.End;
                }
                await ReadRowGroupAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Parquet.Net reports a damaged file with assorted exception types (IOException among them); the
            // stream is a local seekable copy, so an exception here is about the data, not the network.
            Error = new FlowLogError(0, 0, null, $"unreadable Parquet data: {FlowLogError.Printable(e.Message)}", "");
            return FlowReadResult.ObjectError;
        }

        var row = _row++;
        _rowNumber++;
        for (var c = 0; c < _columns.Length; c++)
        {
            if (!TrySet(c, row, out var reason))
            {
                Error = new FlowLogError(_rowNumber, c + 1, Format.Names[c], reason, RowText(row));
                return FlowReadResult.LineError;
            }
        }
        return FlowReadResult.Record;
    }

    private async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_stream.CanSeek || _stream.Length < 12)
        {
            Error = new FlowLogError(0, 0, null, "not a Parquet file (too short, or the stream cannot seek)", "");
            return false;
        }
        _reader = await ParquetReader.CreateAsync(_stream, cancellationToken: cancellationToken);
        if (TooBig() is { } reason)
        {
            Error = new FlowLogError(0, 0, null, reason, "");
            return false;
        }
        _fields = _reader.Schema.GetDataFields();
        Format = FlowLogFormat.Parse(string.Join(' ', _fields.Select(f => f.Name.Replace('_', '-'))));
        _warnings.AddRange(Format.Warnings);
        _columns = [.. Format.Columns];
        var extras = 0;
        _extraIndex = [.. _columns.Select(c => c is null ? extras++ : -1)];
        Record = new FlowRecord { Extras = new string?[Format.ExtraNames.Count] };
        return true;
    }

    /// <summary>
    /// The footer's sizes are the file author's word, and a row group is read into arrays of its row count:
    /// check them all before allocating anything.
    /// </summary>
    private string? TooBig()
    {
        long rows = 0, bytes = 0;
        foreach (var group in _reader!.Metadata?.RowGroups ?? [])
        {
            if (group.NumRows < 0 || group.NumRows > _limits.MaxParquetRowGroupRows)
            {
                return $"a row group claims {group.NumRows} rows, more than {_limits.MaxParquetRowGroupRows} (limit MaxParquetRowGroupRows)";
            }
            rows += group.NumRows;
            long groupBytes = 0;
            foreach (var column in group.Columns)
            {
                if (column.MetaData is { } meta)
                {
                    if (meta.TotalCompressedSize < 0 || meta.TotalCompressedSize > _stream.Length || meta.TotalUncompressedSize < 0)
                    {
                        return $"a column chunk claims {meta.TotalCompressedSize} bytes in a file of {_stream.Length}";
                    }
                    groupBytes += Math.Min(meta.TotalUncompressedSize, _limits.MaxObjectBytes + 1);
                }
            }
            bytes += Math.Max(groupBytes, Math.Max(0, group.TotalByteSize));
            if (rows > _limits.MaxRecordsPerObject)
            {
                return $"the object holds more than {_limits.MaxRecordsPerObject} rows (limit MaxRecordsPerObject)";
            }
            if (bytes > _limits.MaxObjectBytes)
            {
                return $"the object holds more than {_limits.MaxObjectBytes} bytes once decompressed (limit MaxObjectBytes)";
            }
        }
        return null;
    }

    private async Task ReadRowGroupAsync(CancellationToken cancellationToken)
    {
        using var group = _reader!.OpenRowGroupReader(_rowGroup);
        _rowCount = checked((int)group.RowCount);
        _row = 0;
        _values = new Array[_fields.Length];
        for (var c = 0; c < _fields.Length; c++)
        {
            var field = _fields[c];
            var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            _values[c] = type == typeof(int) ? await ReadNumbersAsync<int>(group, field, cancellationToken)
                : type == typeof(long) ? await ReadNumbersAsync<long>(group, field, cancellationToken)
                : await ReadStringsAsync(group, field, cancellationToken);
        }
    }

    private async Task<Array> ReadStringsAsync(ParquetRowGroupReader group, DataField field, CancellationToken ct)
    {
        var values = new string?[_rowCount];
        await group.ReadAsync(field, values.AsMemory(), null, ct);
        return values;
    }

    private async Task<Array> ReadNumbersAsync<T>(ParquetRowGroupReader group, DataField field, CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[_rowCount];
            await group.ReadAsync(field, nullable.AsMemory(), null, ct);
            return nullable;
        }
        var values = new T[_rowCount];
        await group.ReadAsync(field, values.AsMemory(), null, ct);
        return values;
    }

    private bool TrySet(int column, int row, out string reason)
    {
        reason = "";
        var value = _values[column].GetValue(row);
        var info = _columns[column];
        if (info is null)
        {
            string? extra = null;
            if (value?.ToString() is { } shown && !_strings.TryGet(Encoding.UTF8.GetBytes(shown), out extra, out reason))
            {
                return false;
            }
            Record.Extras[_extraIndex[column]] = extra;
            return true;
        }
        if (value is int or long)
        {
            var number = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            return info.Kind is FlowFieldKind.Integer or FlowFieldKind.Timestamp or FlowFieldKind.TcpFlags or FlowFieldKind.TrafficPath
                ? FieldValues.TrySetNumber(Record, info, number, out reason)
                : FieldValues.TrySet(Record, info, Encoding.ASCII.GetBytes(number.ToString(System.Globalization.CultureInfo.InvariantCulture)), _strings, out reason);
        }
        var text = value as string;
        return FieldValues.TrySet(Record, info, text is null ? "-"u8 : Encoding.UTF8.GetBytes(text), _strings, out reason);
    }

    private string RowText(int row)
    {
        var text = string.Join(' ', _values.Select(v => v.GetValue(row)?.ToString() ?? "-"));
        return FlowLogError.Printable(text);
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }
        await _stream.DisposeAsync();
    }
}
