using Npgsql;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A table held with an access-exclusive lock, so that every session touching it waits: how a test makes several
/// nodes reach the same step at once. Released by <see cref="ReleaseAsync"/> or when disposed.
/// </summary>
public sealed class TableHold : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private TableHold(string connectionString, NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        (_connectionString, _connection, _transaction) = (connectionString, connection, transaction);

    public static async Task<TableHold> StartAsync(string connectionString, string table, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($"lock table {table} in access exclusive mode", connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        return new TableHold(connectionString, connection, transaction);
    }

    /// <summary>
    /// Waits (a minute at most, or until <paramref name="givenUp"/>) for this many sessions of the database to be
    /// waiting on a lock; returns how many were.
    /// </summary>
    public async Task<long> WaitForWaitersAsync(int count, Func<bool> givenUp, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long waiting;
        while ((waiting = await Sql.ScalarAsync<long>(_connectionString,
                   "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")) < count
               && DateTime.UtcNow < deadline && !givenUp())
        {
            await Task.Delay(100, ct);
        }
        return waiting;
    }

    public Task ReleaseAsync() => _transaction.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
