using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// Writes flow records into <c>flow_chunks</c> with binary COPY, on the caller's transaction: records gather in a chunk
/// per object and period (<see cref="FlowChunks"/>), sent when full and at the end.
/// </summary>
public sealed class FlowCopy : IAsyncDisposable
{
    // Chunks being filled at once, at most: an object's records span one or two periods, but one whose times are
    // scattered must not hold a chunk (about 1 MB) for each of its periods. Past this, a chunk is sent half-full.
    private const int OpenChunks = 8;

    // Chunks of finished loads, for the next ones: a chunk's buffers take about 30 KB a column.
    private static readonly ConcurrentBag<FlowChunk> Pool = [];

    private readonly BinaryCopyWriter _writer;
    private readonly FlowStrings _strings;
    private readonly Dictionary<(long ObjectId, long Period), FlowChunk> _open = [];
    private readonly int?[] _textIds = new int?[FlowColumns.All.Count];

    // The last format's columns (all of a load's records have one format, but nothing relies on it).
    private FlowLogFormat? _format;
    private FlowColumn[] _columns = [], _textColumns = [];

    // Text ids seen lately, by the string's identity: the parser hands back one string instance for a repeated value,
    // and flow logs repeat the same few thousand ids (accounts, ENIs, subnets, instances...) line after line, so most
    // lookups end at a reference comparison. Pairs of slots, the latest first: with one slot per value, 3,000 interface
    // ids in 1,024 slots kept evicting each other (the dictionary lookup behind was 2–3% of FlowLens's CPU).
    private readonly (string? Value, int Id)[] _recentIds = new (string?, int)[4096];
    private readonly int _sourceId;

    private FlowCopy(BinaryCopyWriter writer, FlowStrings strings, int sourceId) => (_writer, _strings, _sourceId) = (writer, strings, sourceId);

    public static async Task<FlowCopy> BeginAsync(NpgsqlConnection connection, FlowStrings strings, long sourceId, CancellationToken ct) =>
        new(await BinaryCopyWriter.BeginAsync(connection, "flow_chunks", FlowChunk.CopyColumns, ct), strings, checked((int)sourceId));

    /// <summary>
    /// Writes one record; <paramref name="line"/> is where it is in its object, <paramref name="objectId"/> the ledger
    /// row it belongs to.
    /// </summary>
    public async ValueTask WriteAsync(FlowRecord r, FlowLogFormat format, long line, long objectId, CancellationToken ct)
    {
        if (!ReferenceEquals(format, _format))
        {
            var columns = FlowChunk.ColumnsOf(format);
            if (!columns.SequenceEqual(_columns))
            {
                (_columns, _textColumns) = (columns, [.. columns.Where(FlowChunk.IsText)]);
            }
            _format = format;
        }
        var key = (objectId, r.Start is { } start ? FlowChunks.PeriodOf(start).UtcTicks : long.MinValue);
        if (!_open.TryGetValue(key, out var chunk) || chunk.ColumnsInUse != _columns)
        {
            if (chunk is not null)
            {
                // Another format for the same object and period: what came before goes first.
                _open.Remove(key);
                await SendAsync(chunk, ct);
            }
            else if (_open.Count == OpenChunks)
            {
                var (oldest, reused) = _open.First();
                _open.Remove(oldest);
                await SendAsync(reused, ct);
                chunk = reused;
            }
            chunk ??= Pool.TryTake(out var pooled) ? pooled : new FlowChunk();
            chunk.Reset(objectId, _columns);
            _open.Add(key, chunk);
        }
        foreach (var column in _textColumns)
        {
            _textIds[(int)column] = TextId(FlowColumns.Text(column, r));
        }
        var extras = r.Extras.Length == 0 ? null : JsonSerializer.Serialize(format.ExtraNames.Zip(r.Extras).ToDictionary(p => p.First, p => p.Second));
        chunk.Add(r, checked((int)line), _textIds, extras);
        if (chunk.IsFull)
        {
            await chunk.WriteAsync(_writer, _sourceId, ct);
            chunk.Reset(objectId, _columns);
        }
    }

    /// <summary>Sends the chunks being filled and ends the COPY; the rows become visible when the caller's transaction commits.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        foreach (var chunk in _open.Values)
        {
            await SendAsync(chunk, ct);
            if (Pool.Count < OpenChunks)
            {
                Pool.Add(chunk);
            }
        }
        _open.Clear();
        await _writer.CompleteAsync(ct);
    }

    // Disposing without CompleteAsync cancels the COPY: none of its rows are stored.
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    // A chunk left open is empty when it was sent full and no record came after.
    private ValueTask SendAsync(FlowChunk chunk, CancellationToken ct) => chunk.Count > 0 ? chunk.WriteAsync(_writer, _sourceId, ct) : ValueTask.CompletedTask;

    // Text values are stored as their flow_strings id.
    private int? TextId(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var slot = RuntimeHelpers.GetHashCode(value) & (_recentIds.Length - 2);
        ref var latest = ref _recentIds[slot];
        ref var before = ref _recentIds[slot + 1];
        if (!ReferenceEquals(latest.Value, value))
        {
            (latest, before) = ReferenceEquals(before.Value, value) ? (before, latest) : ((value, _strings.IdOf(value)), latest);
        }
        return latest.Id;
    }
}
