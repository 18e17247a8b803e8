using System.Globalization;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion.CloudWatch;

/// <summary>
/// One run of a <c>cloudwatch</c> source: reads the log group's events with FilterLogEvents from the checkpoint
/// minus the look-back window to now, and stores them in batches. Each batch — its flow rows, its rollup sums, the
/// ids of its events, the streams' ledger rows and the checkpoint — commits in one transaction; events already
/// stored (read again by the look-back) are recognised by their event id. Runs of one source take turns (an
/// advisory lock), so two workers never read the same events at once.
/// </summary>
public sealed class CloudWatchIngestion(
    NpgsqlDataSource dataSource, FlowStrings strings, IOptions<SourcesOptions> options, IOptions<IngestionOptions> limits,
    Metrics.FlowLensMetrics metrics, TimeProvider clock, ILogger<CloudWatchIngestion> logger, SourceClients clients,
    IOptions<Stats.RollupOptions> rollupOptions, Detections.DigestRules digestRules)
{
    public const int BatchSize = 5000;
    private const string StreamETag = "cloudwatch-stream";

    /// <summary>Reads and stores what is new; returns how many events were stored.</summary>
    public async Task<long> RunAsync(Source source, CancellationToken ct)
    {
        var settings = source.CloudWatch ?? throw new InvalidOperationException($"source {source.Id} has no cloudWatch settings");
        var format = settings.LogFormat is null ? FlowLogFormat.Default : FlowLogFormat.Parse(settings.LogFormat);
        var client = clients.CloudWatch(settings, options.Value.CloudWatchRequestsPerSecond);

        await using var turn = await dataSource.OpenConnectionAsync(ct);
        await using (var wait = new NpgsqlCommand("select pg_advisory_lock(hashtext('flowlens-cloudwatch'), $1)", turn))
        {
            wait.Parameters.Add(new NpgsqlParameter { Value = checked((int)source.Id) });
            await wait.ExecuteNonQueryAsync(ct);
        }
        // The checkpoint as the previous run left it (read after waiting for our turn).
        await using (var read = new NpgsqlCommand("select checkpoint from sources where id = $1", turn))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = source.Id });
            source.Checkpoint = await read.ExecuteScalarAsync(ct) as string;
        }
        try
        {
            return await ReadAsync(source, settings, format, client, ct);
        }
        finally
        {
            // A pooled connection outlives this run: give the turn back explicitly.
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtext('flowlens-cloudwatch'), $1)", turn);
            release.Parameters.Add(new NpgsqlParameter { Value = checked((int)source.Id) });
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<long> ReadAsync(Source source, CloudWatchSettings settings, FlowLogFormat format, CloudWatchLogsClient client, CancellationToken ct)
    {
        var lookback = TimeSpan.FromMinutes(settings.LookbackMinutes);
        var from = source.Checkpoint is { } checkpoint
            ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(checkpoint, CultureInfo.InvariantCulture)) - lookback
            : settings.StartTime ?? source.CreatedAt.AddDays(-1);
        var request = new FilterLogEventsRequest(settings.LogGroupName,
            StartTime: from.ToUnixTimeMilliseconds(), EndTime: clock.GetUtcNow().ToUnixTimeMilliseconds(), Limit: BatchSize);

        long stored = 0;
        var batch = new List<FilteredLogEvent>(BatchSize);
        var budget = clients.ListBudget();
        await foreach (var e in client.AllEventsAsync(request, budget, ct))
        {
            batch.Add(e);
            if (batch.Count == BatchSize)
            {
                stored += await StoreAsync(source, format, lookback, batch, ct);
                batch.Clear();
            }
        }
        stored += await StoreAsync(source, format, lookback, batch, ct);
        if (budget.Spent)
        {
            logger.LogWarning("Source {SourceId}: paging stopped at the run's limit ({Budget}, FlowLens:Sources:MaxListPagesPerRun, MaxListTimePerRun); the next run goes on from the checkpoint", source.Id, budget);
        }
        logger.LogInformation("Source {SourceId}: {Stored} new CloudWatch events from {LogGroup} since {From}", source.Id, stored, settings.LogGroupName, from);
        return stored;
    }

    private async Task<long> StoreAsync(Source source, FlowLogFormat format, TimeSpan lookback, List<FilteredLogEvent> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return 0;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using (var known = new NpgsqlCommand("select event_id from cloudwatch_events where source_id = $1 and event_id = any($2)", connection, transaction))
        {
            known.Parameters.Add(new NpgsqlParameter { Value = source.Id });
            known.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.EventId).ToArray() });
            await using var reader = await known.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                seen.Add(reader.GetString(0));
            }
        }
        var fresh = batch.Where(e => seen.Add(e.EventId)).ToList();
        long rejected = 0;
        var newest = batch.Max(e => e.Timestamp);
        if (fresh.Count > 0)
        {
            var streams = await LockStreamsAsync(connection, transaction, source.Id, fresh.Select(StreamKey).Distinct().Order(StringComparer.Ordinal).ToList(), ct);
            var parser = new FlowLineParser(format);
            await using (var sink = await FlowSink.BeginAsync(connection, strings, source.Id, new RollupAccumulator(), rollupOptions.Value.TopKeys,
                await digestRules.CurrentAsync(ct), ct))
            {
                foreach (var e in fresh)
                {
                    var stream = streams[StreamKey(e)];
                    stream.Line++;
                    // An event AWS would never write (a NUL, a lone surrogate, a huge message) is a rejected line: the batch still commits.
                    if (parser.TryParse(e.Message, stream.Line, limits.Value.MaxLineLength, out var error))
                    {
                        await sink.AddAsync(parser.Record, format, stream.Line, stream.Counts, ct);
                    }
                    else
                    {
                        stream.Counts.Reject(error);
                    }
                }
                await sink.CompleteAsync(streams.Values.Select(s => s.Counts), clock.GetUtcNow(), ct);
            }
            rejected = streams.Values.Sum(s => s.Counts.Rejected);
            await RememberAsync(connection, transaction, source.Id, fresh, ct);
        }
        // The checkpoint moves to the newest event read; ids older than the next run's look-back are not needed.
        await using (var advance = new NpgsqlCommand("""
            update sources set checkpoint = greatest(coalesce(checkpoint::bigint, 0), $2)::text where id = $1;
            """, connection, transaction))
        {
            advance.Parameters.Add(new NpgsqlParameter { Value = source.Id });
            advance.Parameters.Add(new NpgsqlParameter { Value = newest });
            await advance.ExecuteNonQueryAsync(ct);
        }
        await using (var forget = new NpgsqlCommand("""
            delete from cloudwatch_events where source_id = $1
            and event_time < (select checkpoint::bigint from sources where id = $1) - $2
            """, connection, transaction))
        {
            forget.Parameters.Add(new NpgsqlParameter { Value = source.Id });
            forget.Parameters.Add(new NpgsqlParameter { Value = (long)lookback.TotalMilliseconds });
            await forget.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        metrics.Stored(source.Id, fresh.Count - rejected, rejected);
        return fresh.Count;
    }

    private sealed record StreamRow(LedgerCounts Counts)
    {
        public long Line { get; set; }
    }

    /// <summary>The streams' ledger rows (made when new), locked for this transaction in name order.</summary>
    private async Task<Dictionary<string, StreamRow>> LockStreamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long sourceId, List<string> names, CancellationToken ct)
    {
        await using (var add = new NpgsqlCommand("""
            insert into source_objects (source_id, key, e_tag, size, state, records, rejected_lines, attempts, discovered_at, sample_errors)
            select $1, name, $3, 0, 'ingested', 0, 0, 0, $4, '[]' from unnest($2::text[]) as name
            on conflict (source_id, key, e_tag) do nothing
            """, connection, transaction))
        {
            add.Parameters.Add(new NpgsqlParameter { Value = sourceId });
            add.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
            add.Parameters.Add(new NpgsqlParameter { Value = StreamETag });
            add.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow().UtcDateTime });
            await add.ExecuteNonQueryAsync(ct);
        }
        var rows = new Dictionary<string, StreamRow>(StringComparer.Ordinal);
        await using var select = new NpgsqlCommand("""
            select key, id, records + rejected_lines from source_objects
            where source_id = $1 and e_tag = $3 and key = any($2) order by key for update
            """, connection, transaction);
        select.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        select.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
        select.Parameters.Add(new NpgsqlParameter { Value = StreamETag });
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows[reader.GetString(0)] = new StreamRow(new LedgerCounts(reader.GetInt64(1))) { Line = reader.GetInt64(2) };
        }
        return rows;
    }

    private static async Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long sourceId, List<FilteredLogEvent> events, CancellationToken ct)
    {
        await using var remember = new NpgsqlCommand("""
            insert into cloudwatch_events (source_id, event_id, event_time)
            select $1, id, time from unnest($2::text[], $3::bigint[]) as e(id, time)
            """, connection, transaction);
        remember.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        remember.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.EventId).ToArray() });
        remember.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.Timestamp).ToArray() });
        await remember.ExecuteNonQueryAsync(ct);
    }

    // The stream's name is the ledger key: a NUL or a lone surrogate in it (the service's name pattern allows them) would stop every batch.
    private static string StreamKey(FilteredLogEvent e) => FlowLogError.Printable(e.LogStreamName ?? "", maxLength: 512);
}
