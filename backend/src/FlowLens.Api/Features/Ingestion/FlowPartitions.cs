using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The 6-hour partitions of <c>flow_chunks</c>, four a day: made ahead for the whole retention window and the next
/// days, given their address index once closed, and dropped whole once older than the retention. Chunks outside every
/// partition wait in <c>flow_chunks_default</c>.
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
    /// Gives each closed partition its GIN index on <c>addrs</c>, which finds the chunks holding an address. Building it
    /// once a partition is complete costs a fraction of keeping it up to date row by row during COPY (which would halve
    /// the load rate, docs/storage-research.md); the few open partitions are searched without it. Closed: its period
    /// ended <see cref="ClosedAfter"/> ago and no object with records in it was stored in the last
    /// <see cref="QuietFor"/> (a backfill is indexed once it has passed). Objects arriving later go into the index as
    /// they are stored.
    /// </summary>
    public async Task IndexClosedAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var turn = new NpgsqlCommand("select pg_try_advisory_lock(hashtext('flowlens_chunk_indexes'))", connection))
        {
            if (await turn.ExecuteScalarAsync(ct) is not true)
            {
                return; // another node is at it
            }
        }
        var unindexed = new List<string>();
        await using (var command = new NpgsqlCommand("""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'flow_chunks'::regclass and c.relname ~ '^flow_chunks_[0-9]{8}_[0-9]{2}$'
                and to_timestamp(substr(c.relname, 13), 'YYYYMMDD_HH24')::timestamp at time zone 'UTC' + interval '6 hours' < $1
                and to_regclass(c.relname || '_addrs') is null
                and not exists (
                    select from source_objects o
                    where o.ingested_at > $2
                        and o.oldest_record_at < to_timestamp(substr(c.relname, 13), 'YYYYMMDD_HH24')::timestamp at time zone 'UTC' + interval '6 hours'
                        and o.newest_record_at >= to_timestamp(substr(c.relname, 13), 'YYYYMMDD_HH24')::timestamp at time zone 'UTC')
            order by c.relname desc
            """, connection))
        {
            var now = clock.GetUtcNow();
            command.Parameters.Add(new NpgsqlParameter { Value = (now - ClosedAfter).UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = (now - QuietFor).UtcDateTime });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                unindexed.Add(reader.GetString(0));
            }
        }
        try
        {
            foreach (var partition in unindexed)
            {
                await using var index = new NpgsqlCommand($"create index if not exists \"{partition}_addrs\" on \"{partition}\" using gin (addrs)", connection);
                index.CommandTimeout = 0;
                await index.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Indexed the addresses of flow partition {Partition}", partition);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtext('flowlens_chunk_indexes'))", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>How long after its period ends a partition counts as closed: flow logs arrive up to about 10 minutes late.</summary>
    public static readonly TimeSpan ClosedAfter = TimeSpan.FromHours(1);

    /// <summary>How long no object must have been stored into a partition before it is indexed.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromMinutes(2);

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

/// <summary>The maintenance job, every few minutes: retention, the next days' partitions, the closed ones' address indexes.</summary>
public sealed class PartitionMaintenanceJob(FlowPartitions partitions)
{
    public const string Id = "flow-partitions";
    public const string Schedule = "*/5 * * * *";

    public async Task RunAsync(CancellationToken ct)
    {
        await partitions.DropExpiredAsync(ct);
        await partitions.EnsureAsync(ct);
        await partitions.IndexClosedAsync(ct);
    }
}
