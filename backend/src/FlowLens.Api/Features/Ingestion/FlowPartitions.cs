using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The 6-hour partitions of <c>flow_chunks</c>, four a day: made ahead for the whole retention window and the next
/// days, and dropped whole once older than the retention. Chunks outside every partition wait in
/// <c>flow_chunks_default</c>. They need no index built once closed: each chunk carries its own Bloom filter of addresses.
/// </summary>
public sealed class FlowPartitions(NpgsqlDataSource dataSource, IOptions<RetentionOptions> retention, TimeProvider clock, ILogger<FlowPartitions> logger)
{
    private const int DaysAhead = 2;

    /// <summary>
    /// Creates the four partitions of every day from the retention cutoff to two days ahead. Nodes doing it at once take
    /// turns for the whole batch (the function's own lock is taken per day, inside one statement, whose catalog view
    /// may predate another node's new partitions).
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var turn = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('flowlens_partitions'))", connection, transaction))
        {
            await turn.ExecuteNonQueryAsync(ct);
        }
        await using (var command = new NpgsqlCommand(
            "select flowlens_ensure_partition(d::date) from generate_series($1::date, $2::date, interval '1 day') d", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = today.AddDays(-retention.Value.Days) });
            command.Parameters.Add(new NpgsqlParameter { Value = today.AddDays(DaysAhead) });
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Drops the partitions of days before the flows' retention cutoff, old chunks waiting in flow_chunks_default, and the dirty
    /// marks of those hours (a summary can no longer be rebuilt from flows that are gone); the rollups of days before the
    /// rollups' own, longer, cutoff (<see cref="RetentionOptions.RollupDays"/>).
    /// </summary>
    public async Task DropExpiredAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var cutoff = today.AddDays(-retention.Value.Days);
        var expired = new List<string>();
        await using (var command = dataSource.CreateCommand("""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'flow_chunks'::regclass and c.relname ~ '^flow_chunks_[0-9]{8}_[0-9]{2}$' and c.relname < $1
            order by 1
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = $"flow_chunks_{cutoff:yyyyMMdd}" });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                expired.Add(reader.GetString(0));
            }
        }
        foreach (var partition in expired)
        {
            await using var drop = dataSource.CreateCommand($"drop table if exists \"{partition}\"");
            await drop.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Dropped flow partition {Partition}: older than {Days} days", partition, retention.Value.Days);
        }
        var rollupCutoff = today.AddDays(-retention.Value.RollupDays);
        foreach (var (expiry, before) in new[]
        {
            ("delete from flow_chunks_default where start_min < $1", cutoff),
            ("delete from flow_top_dirty where bucket < $1", cutoff),
            ("delete from flow_rollups_5m where bucket < $1", rollupCutoff),
            ("delete from flow_top_appended where bucket < $1", rollupCutoff),
            ("delete from flow_top_1h where bucket < $1", rollupCutoff),
            ("delete from flow_top_1d where bucket < $1", rollupCutoff),
        })
        {
            await using var old = dataSource.CreateCommand(expiry);
            old.Parameters.Add(new NpgsqlParameter { Value = before.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
            await old.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>The maintenance job, every 5 minutes (cheap when there is nothing to do): retention and the next days' partitions.</summary>
public sealed class PartitionMaintenanceJob(FlowPartitions partitions)
{
    public const string Id = "flow-partitions";
    public const string Schedule = "*/5 * * * *";

    public async Task RunAsync(CancellationToken ct)
    {
        await partitions.DropExpiredAsync(ct);
        await partitions.EnsureAsync(ct);
    }
}
