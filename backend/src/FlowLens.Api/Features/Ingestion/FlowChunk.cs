using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// A row of <c>flow_chunks</c> being filled: up to <see cref="FlowChunks.Records"/> records of one object and one
/// period, kept field by field until <see cref="WriteAsync"/> sends each field as one array.
/// </summary>
internal sealed class FlowChunk
{
    private const int Capacity = FlowChunks.Records;
    private static readonly FlowColumn[] Columns = [.. FlowColumns.All.Select(c => c.Column)];

    // One buffer per column of flows, by its kind (null where the column is of another kind or the chunk's own).
    private readonly long?[][] _longs = new long?[Columns.Length][];
    private readonly int?[][] _ints = new int?[Columns.Length][];
    private readonly short?[][] _smalls = new short?[Columns.Length][];
    private readonly FlowAddress?[][] _addresses = new FlowAddress?[Columns.Length][];
    private readonly string?[] _extras = new string?[Capacity];
    private readonly int?[] _lines = new int?[Capacity];
    private readonly AddressBloom _bloom = new();
    private DateTimeOffset? _startMin, _startMax;
    private DateTimeOffset _base;

    // The columns the records being added may have a value in (their format's, and the chunk's own): the others are
    // sent as null without looking at them (a v2 record has 14 of the 44 fields).
    private FlowColumn[] _columns = [];

    public long ObjectId { get; private set; }

    /// <summary>The columns in use, as <see cref="Reset"/> was given them.</summary>
    public FlowColumn[] ColumnsInUse => _columns;

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>
    /// Empties the chunk for the records of another object, whose values can only be in <paramref name="columns"/>
    /// (<see cref="ColumnsOf"/> its format).
    /// </summary>
    public void Reset(long objectId, FlowColumn[] columns)
    {
        foreach (var column in columns)
        {
            var c = (int)column;
            switch (KindOf(column))
            {
                case Kind.Long or Kind.End: _longs[c] ??= new long?[Capacity]; break;
                case Kind.Int or Kind.Text or Kind.Start: _ints[c] ??= new int?[Capacity]; break;
                case Kind.Small: _smalls[c] ??= new short?[Capacity]; break;
                case Kind.Address: _addresses[c] ??= new FlowAddress?[Capacity]; break;
            }
        }
        _columns = columns;
        ObjectId = objectId;
        Count = 0;
        _startMin = _startMax = null;
        _bloom.Clear();
    }

    /// <summary>Adds a record; <paramref name="textIds"/> holds the flow_strings id of each text column, by column.</summary>
    public void Add(FlowRecord r, int line, ReadOnlySpan<int?> textIds, string? extras)
    {
        var i = Count++;
        if (i == 0)
        {
            _base = r.Start ?? r.End ?? DateTimeOffset.UnixEpoch;
        }
        if (r.Start is { } start)
        {
            _startMin = _startMin is { } min && min <= start ? min : start;
            _startMax = _startMax is { } max && max >= start ? max : start;
        }
        foreach (var column in _columns)
        {
            var c = (int)column;
            switch (KindOf(column))
            {
                case Kind.Long: _longs[c][i] = Long(column, r); break;
                case Kind.Start: _ints[c][i] = (int?)Seconds(r.Start); break;
                case Kind.End: _longs[c][i] = Seconds(r.End); break;
                case Kind.Text: _ints[c][i] = textIds[c]; break;
                case Kind.Int: _ints[c][i] = column == FlowColumn.SrcPort ? r.SrcPort : r.DstPort; break;
                case Kind.Small: _smalls[c][i] = Small(column, r); break;
                case Kind.Address:
                    var address = Address(column, r);
                    _addresses[c][i] = address;
                    if (address is { } a)
                    {
                        _bloom.Add(a);
                    }
                    break;
            }
        }
        _extras[i] = extras;
        _lines[i] = line;
    }

    /// <summary>The values of <c>flow_chunks</c>' columns in <see cref="CopyColumns"/>' order, as one COPY row.</summary>
    public async ValueTask WriteAsync(BinaryCopyWriter w, int sourceId, CancellationToken ct)
    {
        var n = Count;
        await w.StartRowAsync(ct);
        w.Timestamp(_startMin);
        w.Timestamp(_startMax);
        w.Timestamp(_base);
        w.Int64(ObjectId);
        w.Int32(sourceId);
        var line0 = _lines[0]!.Value;
        var consecutive = true;
        for (var i = 1; i < n && consecutive; i++)
        {
            consecutive = _lines[i] == line0 + i;
        }
        w.Int32(line0);
        w.Int32(n);
        w.Bytea(_bloom.ToBytes());
        foreach (var column in Columns)
        {
            var c = (int)column;
            switch (KindOf(column))
            {
                case Kind.Own: break; // the row's own columns, written above
                case not (Kind.Extras or Kind.Line) when Array.IndexOf(_columns, column) < 0: w.Null(); break;
                case Kind.Long or Kind.End: w.Int64Array(_longs[c].AsSpan(0, n)); break;
                case Kind.Start: w.Int32Array(_ints[c].AsSpan(0, n), nullWhenAllNull: false); break;
                case Kind.Int or Kind.Text: w.Int32Array(_ints[c].AsSpan(0, n)); break;
                case Kind.Small: w.Int16Array(_smalls[c].AsSpan(0, n)); break;
                case Kind.Address: w.InetArray(_addresses[c].AsSpan(0, n)); break;
                case Kind.Extras: w.JsonbArray(_extras.AsSpan(0, n)); break;
                case Kind.Line when consecutive: w.Null(); break;
                case Kind.Line: w.Int32Array(_lines.AsSpan(0, n)); break;
            }
        }
    }

    /// <summary>The columns <see cref="WriteAsync"/> writes, for COPY.</summary>
    public static readonly string CopyColumns =
        "start_min, start_max, base, object_id, source_id, line0, n, bloom, " + string.Join(", ", FlowChunks.Arrays);

    // Whole seconds from the chunk's base (flow logs give times in whole seconds). A start is within its period, 6 hours,
    // of the base, so it fits 32 bits; an end may be anything a record says, so it has 64.
    private long? Seconds(DateTimeOffset? time) => time is null ? null : (time.Value - _base).Ticks / TimeSpan.TicksPerSecond;

    private enum Kind { Own, Long, Start, End, Int, Text, Small, Address, Extras, Line }

    private static Kind KindOf(FlowColumn column) => column switch
    {
        FlowColumn.ObjectId or FlowColumn.SourceId => Kind.Own,
        FlowColumn.Packets or FlowColumn.Bytes or FlowColumn.PacketsLostNoRoute or FlowColumn.PacketsLostBlackhole
            or FlowColumn.PacketsLostMtuExceeded or FlowColumn.PacketsLostTtlExpired => Kind.Long,
        FlowColumn.Start => Kind.Start,
        FlowColumn.End => Kind.End,
        FlowColumn.SrcPort or FlowColumn.DstPort => Kind.Int,
        FlowColumn.Version or FlowColumn.Protocol or FlowColumn.Action or FlowColumn.LogStatus or FlowColumn.TcpFlags
            or FlowColumn.Type or FlowColumn.FlowDirection or FlowColumn.TrafficPath => Kind.Small,
        FlowColumn.SrcAddr or FlowColumn.DstAddr or FlowColumn.PktSrcAddr or FlowColumn.PktDstAddr => Kind.Address,
        FlowColumn.Extras => Kind.Extras,
        FlowColumn.Line => Kind.Line,
        _ => Kind.Text,
    };

    /// <summary>The columns a record of <paramref name="format"/> may have a value in, in the table's order (start always: its array is never null).</summary>
    public static FlowColumn[] ColumnsOf(FlowLogFormat format) =>
        [.. FlowColumns.All.Where(c => c.Column == FlowColumn.Start || c.Field is { } field && format.Has(field)).Select(c => c.Column)];

    /// <summary>Whether a column holds a text value (stored as its flow_strings id).</summary>
    public static bool IsText(FlowColumn column) => KindOf(column) == Kind.Text;

    private static long? Long(FlowColumn column, FlowRecord r) => column switch
    {
        FlowColumn.Packets => r.Packets,
        FlowColumn.Bytes => r.Bytes,
        FlowColumn.PacketsLostNoRoute => r.PacketsLostNoRoute,
        FlowColumn.PacketsLostBlackhole => r.PacketsLostBlackhole,
        FlowColumn.PacketsLostMtuExceeded => r.PacketsLostMtuExceeded,
        _ => r.PacketsLostTtlExpired,
    };

    private static short? Small(FlowColumn column, FlowRecord r) => column switch
    {
        FlowColumn.Version => (short?)r.Version,
        FlowColumn.Protocol => (short?)r.Protocol,
        FlowColumn.Action => (short?)r.Action,
        FlowColumn.LogStatus => (short?)r.LogStatus,
        FlowColumn.TcpFlags => (short?)r.TcpFlags,
        FlowColumn.Type => (short?)r.Type,
        FlowColumn.FlowDirection => (short?)r.FlowDirection,
        _ => r.TrafficPath,
    };

    private static FlowAddress? Address(FlowColumn column, FlowRecord r) => column switch
    {
        FlowColumn.SrcAddr => r.SrcAddr,
        FlowColumn.DstAddr => r.DstAddr,
        FlowColumn.PktSrcAddr => r.PktSrcAddr,
        _ => r.PktDstAddr,
    };

}
