using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Api.Data;

/// <summary>
/// Writes rows in PostgreSQL's binary COPY format straight into a raw COPY stream, through one buffer: the bulk
/// loads (flows and their rollups) spend their time in PostgreSQL, not in encoding. Npgsql's
/// <see cref="NpgsqlBinaryImporter"/> resolves a converter per value and boxes addresses as <see cref="System.Net.IPAddress"/>,
/// which made the client, not the database, the slower side of ingestion.
/// Values are big-endian, each preceded by its length (-1 for null); see "Binary Format" in PostgreSQL's COPY docs.
/// </summary>
public sealed class BinaryCopyWriter : IAsyncDisposable
{
    private const int FlushAt = 1 << 16;
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    // "PGCOPY\n\377\r\n\0", then no flags and no header extension.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly NpgsqlRawCopyStream _stream;
    private readonly short _fields;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(FlushAt * 2);
    private int _length;
    private bool _completed;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream, short fields) => (_stream, _fields) = (stream, fields);

    /// <summary>
    /// Starts <c>copy {table} ({columns}) from stdin (format binary)</c> on the connection (and its transaction); every
    /// row then holds one value per column of the comma-separated <paramref name="columns"/>, in their order.
    /// </summary>
    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string table, string columns, CancellationToken ct)
    {
        var fields = checked((short)(columns.Count(c => c == ',') + 1));
        var writer = new BinaryCopyWriter(await connection.BeginRawBinaryCopyAsync($"copy {table} ({columns}) from stdin (format binary)", ct), fields);
        Header.CopyTo(writer.Space(Header.Length));
        writer._length += Header.Length;
        return writer;
    }

    /// <summary>Starts a row (its values follow, one per column), sending the buffer first when it is full enough.</summary>
    public ValueTask StartRowAsync(CancellationToken ct)
    {
        if (_length >= FlushAt)
        {
            return FlushThenStartAsync(ct);
        }
        Int16Value(_fields);
        return ValueTask.CompletedTask;
    }

    private async ValueTask FlushThenStartAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        Int16Value(_fields);
    }

    public void Null() => Int32Value(-1);

    public void Int16(short value)
    {
        Int32Value(2);
        Int16Value(value);
    }

    public void Int32(int value)
    {
        Int32Value(4);
        Int32Value(value);
    }

    public void Int64(long value)
    {
        Int32Value(8);
        BinaryPrimitives.WriteInt64BigEndian(Space(8), value);
        _length += 8;
    }

    /// <summary>A <c>timestamptz</c>: microseconds since 2000-01-01 UTC.</summary>
    public void Timestamp(DateTimeOffset value) => Int64((value.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);

    /// <summary>An <c>inet</c> host address: family (2 IPv4, 3 IPv6), prefix bits, is-CIDR, byte count, bytes.</summary>
    public void Inet(FlowAddress value)
    {
        var size = value.IsIPv4 ? 4 : 16;
        Int32Value(4 + size);
        var span = Space(4 + size);
        span[0] = value.IsIPv4 ? (byte)2 : (byte)3;
        span[1] = (byte)(size * 8);
        span[2] = 0;
        span[3] = (byte)size;
        value.WriteBytes(span.Slice(4, size));
        _length += 4 + size;
    }

    // The same, or null when the value is absent.
    public void Int16(short? value) { if (Present(value)) Int16(value!.Value); }

    public void Int32(int? value) { if (Present(value)) Int32(value!.Value); }

    public void Int64(long? value) { if (Present(value)) Int64(value!.Value); }

    public void Timestamp(DateTimeOffset? value) { if (Present(value)) Timestamp(value!.Value); }

    public void Inet(FlowAddress? value) { if (Present(value)) Inet(value!.Value); }

    /// <summary>A <c>bytea</c>: the bytes as they are.</summary>
    public void Bytea(ReadOnlySpan<byte> value)
    {
        Int32Value(value.Length);
        value.CopyTo(Space(value.Length));
        _length += value.Length;
    }

    public void Text(string value) => Utf8(value, version: null);

    /// <summary>A <c>jsonb</c> value: format version 1, then the JSON text.</summary>
    public void Jsonb(string json) => Utf8(json, version: 1);

    private void Utf8(string value, byte? version)
    {
        var prefix = version is null ? 0 : 1;
        var span = Space(4 + prefix + Encoding.UTF8.GetMaxByteCount(value.Length));
        if (version is { } v)
        {
            span[4] = v;
        }
        var size = prefix + Encoding.UTF8.GetBytes(value, span[(4 + prefix)..]);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        _length += 4 + size;
    }

    /// <summary>A one-dimensional <c>text[]</c> without nulls.</summary>
    public void TextArray(IReadOnlyList<string> values)
    {
        var start = ArrayHeader(values.Count, TextOid, hasNulls: false);
        foreach (var value in values)
        {
            Text(value);
        }
        EndArray(start);
    }

    /// <summary>A one-dimensional <c>bigint[]</c> without nulls.</summary>
    public void Int64Array(IReadOnlyList<long> values)
    {
        var start = ArrayHeader(values.Count, Int8Oid, hasNulls: false);
        foreach (var value in values)
        {
            Int64(value);
        }
        EndArray(start);
    }

    // Arrays whose elements may be absent: null itself when every element is, unless nullWhenAllNull is false.
    // Compiled optimized at once (here and below): run once per chunk or summary, these loops waited for tiering
    // (30 calls) through a young process's first tens of objects, unoptimized.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Int16Array(ReadOnlySpan<short?> values)
    {
        if (BeginArray(values, Int2Oid) is { } start)
        {
            foreach (var value in values)
            {
                Int16(value);
            }
            EndArray(start);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Int32Array(ReadOnlySpan<int?> values, bool nullWhenAllNull = true)
    {
        if (BeginArray(values, Int4Oid, nullWhenAllNull) is { } start)
        {
            foreach (var value in values)
            {
                Int32(value);
            }
            EndArray(start);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Int64Array(ReadOnlySpan<long?> values)
    {
        if (BeginArray(values, Int8Oid) is { } start)
        {
            foreach (var value in values)
            {
                Int64(value);
            }
            EndArray(start);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InetArray(ReadOnlySpan<FlowAddress?> values)
    {
        if (BeginArray(values, InetOid) is { } start)
        {
            foreach (var value in values)
            {
                Inet(value);
            }
            EndArray(start);
        }
    }

    /// <summary>A <c>jsonb[]</c> of JSON texts, or null when every element is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void JsonbArray(ReadOnlySpan<string?> values)
    {
        var nulls = 0;
        foreach (var value in values)
        {
            nulls += value is null ? 1 : 0;
        }
        if (BeginArray(values.Length, nulls, JsonbOid, nullWhenAllNull: true) is not { } start)
        {
            return;
        }
        foreach (var value in values)
        {
            if (value is null)
            {
                Null();
            }
            else
            {
                Jsonb(value);
            }
        }
        EndArray(start);
    }

    private const int TextOid = 25, Int2Oid = 21, Int4Oid = 23, Int8Oid = 20, InetOid = 869, JsonbOid = 3802;

    /// <summary>Null, and no start, when every value is null and <paramref name="nullWhenAllNull"/>; else the array's header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int? BeginArray<T>(ReadOnlySpan<T?> values, int elementOid, bool nullWhenAllNull = true) where T : struct
    {
        var nulls = 0;
        foreach (var value in values)
        {
            nulls += value.HasValue ? 0 : 1;
        }
        return BeginArray(values.Length, nulls, elementOid, nullWhenAllNull);
    }

    private int? BeginArray(int count, int nulls, int elementOid, bool nullWhenAllNull)
    {
        if (nulls == count && nullWhenAllNull)
        {
            Null();
            return null;
        }
        return ArrayHeader(count, elementOid, hasNulls: nulls > 0);
    }

    /// <summary>
    /// Writes an array's header (dimensions, whether it has nulls, element type, size, lower bound 1) after a length
    /// left to fill; returns where the value starts. The buffer only grows by whole copies, so the offset stays valid.
    /// </summary>
    private int ArrayHeader(int count, int elementOid, bool hasNulls)
    {
        Int32Value(0); // the value's length, written once its elements are (EndArray)
        var start = _length;
        Int32Value(count == 0 ? 0 : 1);
        Int32Value(hasNulls ? 1 : 0);
        Int32Value(elementOid);
        if (count > 0)
        {
            Int32Value(count);
            Int32Value(1);
        }
        return start;
    }

    private void EndArray(int start) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start - 4), _length - start);

    /// <summary>Ends the COPY: its rows are stored when the transaction commits.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        Int16Value(-1);
        await FlushAsync(ct);
        _completed = true;
        await _stream.DisposeAsync();
    }

    /// <summary>Without <see cref="CompleteAsync"/>, cancels the COPY: none of its rows are stored.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_completed)
            {
                _completed = true;
                await _stream.CancelAsync();
                await _stream.DisposeAsync();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>False, having written null, when the value is absent.</summary>
    private bool Present<T>(T? value) where T : struct
    {
        if (value is null)
        {
            Null();
            return false;
        }
        return true;
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), ct);
        _length = 0;
    }

    private void Int16Value(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Space(2), value);
        _length += 2;
    }

    private void Int32Value(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Space(4), value);
        _length += 4;
    }

    /// <summary>The free end of the buffer, at least <paramref name="size"/> bytes (a long value grows it).</summary>
    private Span<byte> Space(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsSpan(_length, size);
    }
}
