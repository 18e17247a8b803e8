using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Stats;
using FlowLens.Core.Detections;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>What a load gave one ledger row (an object, a CloudWatch stream): its counts, time span and first bad lines.</summary>
public sealed class LedgerCounts(long objectId)
{
    public const int SampleErrors = 5;

    public long ObjectId { get; } = objectId;
    public long Records { get; set; }
    public long Rejected { get; set; }
    public DateTimeOffset? Oldest { get; set; }
    public DateTimeOffset? Newest { get; set; }
    public List<BadLine> Samples { get; } = [];

    /// <summary>Counts a line that did not parse; the first few are kept to show.</summary>
    public void Reject(FlowLogError? error)
    {
        Rejected++;
        if (Samples.Count < SampleErrors && error is not null)
        {
            Samples.Add(new BadLine(error.Line, error.Column, error.Field, error.Reason, error.Text));
        }
    }
}

/// <summary>
/// Where parsed records go, for object and CloudWatch ingestion alike: rows into <c>flows</c> by binary COPY, their
/// sums into the rollups, what the detectors and threshold rules count into the digests, counts into the ledger rows (<c>source_objects</c>). All on the caller's transaction:
/// nothing is stored unless <see cref="CompleteAsync"/> ran and the caller commits.
/// </summary>
public sealed class FlowSink : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly FlowCopy _copy;
    private readonly FlowStrings _strings;
    private readonly RollupAccumulator _rollups;
    private readonly long _sourceId;
    private readonly int _topKeys;
    private readonly DetectionDigest _digest = new();
    private readonly RuleDigest _rules;

    private FlowSink(NpgsqlConnection connection, FlowCopy copy, FlowStrings strings, RollupAccumulator rollups, long sourceId, int topKeys, IReadOnlyList<DigestRule> rules) =>
        (_connection, _copy, _strings, _rollups, _sourceId, _topKeys, _rules) = (connection, copy, strings, rollups, sourceId, topKeys, new RuleDigest(rules));

    /// <summary>
    /// Starts the COPY; <paramref name="rollups"/> may already hold sums to take out (an object's older version);
    /// the top summaries keep <paramref name="topKeys"/> keys per metric (FlowLens:Rollups:TopKeys); the digests sum
    /// <paramref name="rules"/> (<see cref="DigestRules"/>).
    /// </summary>
    public static async Task<FlowSink> BeginAsync(NpgsqlConnection connection, FlowStrings strings, long sourceId, RollupAccumulator rollups, int topKeys,
        IReadOnlyList<DigestRule> rules, CancellationToken ct) =>
        new(connection, await FlowCopy.BeginAsync(connection, strings, sourceId, ct), strings, rollups, sourceId, topKeys, rules);

    /// <summary>Stores one record; <paramref name="line"/> is where it is in the ledger row's object.</summary>
    public async ValueTask AddAsync(FlowRecord record, FlowLogFormat format, long line, LedgerCounts ledger, CancellationToken ct)
    {
        await _copy.WriteAsync(record, format, line, ledger.ObjectId, ct);
        _rollups.Add(record);
        _digest.Add(record);
        _rules.Add(record);
        ledger.Records++;
        ledger.Oldest = Earliest(ledger.Oldest, record.Start);
        ledger.Newest = Latest(ledger.Newest, record.End ?? record.Start);
    }

    /// <summary>
    /// Stores every record of a reader into one ledger row, counting and sampling its bad lines; returns why the
    /// whole input is unreadable, if it is (then nothing may be completed: the caller disposes the sink).
    /// </summary>
    public async Task<string?> AddAllAsync(IFlowLogReader reader, LedgerCounts ledger, CancellationToken ct)
    {
        FlowReadResult result;
        while ((result = await reader.ReadAsync(ct)) != FlowReadResult.End)
        {
            if (result == FlowReadResult.ObjectError)
            {
                return reader.Error!.Reason;
            }
            if (result == FlowReadResult.LineError)
            {
                ledger.Reject(reader.Error);
                continue;
            }
            await AddAsync(reader.Record, reader.Format, reader.Line, ledger, ct);
        }
        return null;
    }

    /// <summary>Ends the COPY, adds the rows' sums to the rollups and the counts to the ledger rows, in the same transaction.</summary>
    public async Task CompleteAsync(IEnumerable<LedgerCounts> ledgers, DateTimeOffset now, CancellationToken ct)
    {
        await _copy.CompleteAsync(ct);
        var rows = ledgers.ToList();
        // The summaries name their object when they have one, so that a new version of it can delete them unmerged.
        var objectId = rows.Count == 1 ? rows[0].ObjectId : (long?)null;
        await RollupWriter.WriteAsync(_connection, _strings.IdOf, _rollups, _topKeys, _sourceId, objectId, ct);
        _rollups.Release();
        await DigestWriter.WriteAsync(_connection, _digest, _rules, _sourceId, objectId, ct);
        _digest.Clear();
        _rules.Clear();
        foreach (var ledger in rows)
        {
            // Added, not set: a CloudWatch stream is loaded batch after batch (a new object's row starts at 0 and '[]');
            // the first SampleErrors bad lines of all batches are kept.
            await using var update = new NpgsqlCommand($$"""
                update source_objects set records = records + $2, rejected_lines = rejected_lines + $3,
                    oldest_record_at = least(oldest_record_at, $4), newest_record_at = greatest(newest_record_at, $5),
                    ingested_at = $6,
                    sample_errors = jsonb_path_query_array(sample_errors || $7::jsonb, '$[0 to {{LedgerCounts.SampleErrors - 1}}]')
                where id = $1
                """, _connection);
            update.Parameters.Add(new NpgsqlParameter { Value = ledger.ObjectId });
            update.Parameters.Add(new NpgsqlParameter { Value = ledger.Records });
            update.Parameters.Add(new NpgsqlParameter { Value = ledger.Rejected });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)ledger.Oldest?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)ledger.Newest?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
            update.Parameters.Add(new NpgsqlParameter { Value = System.Text.Json.JsonSerializer.Serialize(ledger.Samples, System.Text.Json.JsonSerializerOptions.Web) });
            await update.ExecuteNonQueryAsync(ct);
        }
    }

    // Disposing without CompleteAsync cancels the COPY: none of its rows are stored.
    public ValueTask DisposeAsync() => _copy.DisposeAsync();

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
