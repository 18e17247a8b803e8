using System.ComponentModel.DataAnnotations;
using FlowLens.Core.Filters;
using Npgsql;

namespace FlowLens.Api.Queries;

/// <summary>Limits on the queries that API requests run (FlowLens:Queries).</summary>
public sealed class QueryOptions
{
    public const string Section = "FlowLens:Queries";

    /// <summary>A search or stats statement running longer is cancelled by PostgreSQL (answer: 503).</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The same for exports, which stream for as long as the client reads.</summary>
    [Range(1, 86_400)]
    public int ExportTimeoutSeconds { get; set; } = 1800;

    /// <summary>Filters longer than this many characters are refused (400).</summary>
    [Range(1, 16_384)]
    public int MaxFilterLength { get; set; } = FilterLimits.Default.MaxLength;

    /// <summary>Parentheses and <c>not</c> nested deeper than this in a filter are refused (400).</summary>
    [Range(1, 256)]
    public int MaxFilterDepth { get; set; } = FilterLimits.Default.MaxDepth;

    /// <summary>
    /// Searches and stats one caller (API key, person or client address) may run at once; more get 429. The overview
    /// page asks 6 at once.
    /// </summary>
    [Range(1, 1000)]
    public int ConcurrentPerCaller { get; set; } = 8;

    /// <summary>
    /// Searches and stats this node runs in PostgreSQL at once, all callers together; more wait their turn (in order),
    /// so a crowd of viewers queues instead of slowing every query (and ingestion) past the statement timeout.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrent { get; set; } = 8;

    /// <summary>How long a search or stats call waits for its turn; past it: 503 with Retry-After.</summary>
    [Range(1, 3600)]
    public int QueueSeconds { get; set; } = 60;

    /// <summary>CSV/NDJSON exports one caller may run at once; more get 429.</summary>
    [Range(1, 100)]
    public int ConcurrentExportsPerCaller { get; set; } = 1;

    /// <summary>Exports of all callers together at once, so that long exports never hold every query connection.</summary>
    [Range(1, 1000)]
    public int ConcurrentExports { get; set; } = 8;

    public FilterLimits FilterLimits => new(MaxFilterLength, MaxFilterDepth);
}

/// <summary>
/// The connections API queries run on: a pool of their own with a statement timeout, so no request can pin the
/// database; without JIT compilation (it costs seconds on wide queries over many partitions and saves little); and
/// with enough work memory to group a week of rollup rows in a hash table rather than sort them on disk.
/// </summary>
public sealed class QueryDatabase(NpgsqlDataSource dataSource, QueryOptions options) : IDisposable
{
    // Searches and stats take a place before their connection and give it back when it closes (exports have limits of their own).
    private readonly SemaphoreSlim _places = new(options.MaxConcurrent);

    public static QueryDatabase Create(string connectionString, QueryOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c statement_timeout={options.TimeoutSeconds * 1000} -c jit=off -c work_mem=64MB".Trim();
        builder.ApplicationName ??= "FlowLens queries";
        return new QueryDatabase(new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = "FlowLens queries" }.Build(), options);
    }

    /// <summary>How long and deep the filters of these queries may be.</summary>
    public FilterLimits FilterLimits => options.FilterLimits;

    /// <summary>A command with its <c>$n</c> parameters, on a connection from the pool (closed with the reader).</summary>
    public async Task<NpgsqlDataReader> ReadAsync(string sql, IReadOnlyList<object> parameters, CancellationToken ct, bool export = false)
    {
        if (!export && !await _places.WaitAsync(TimeSpan.FromSeconds(options.QueueSeconds), ct))
        {
            throw new QueriesBusyException();
        }
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(ct);
        }
        catch
        {
            if (!export)
            {
                _places.Release();
            }
            throw;
        }
        if (!export)
        {
            GiveBackWhenClosed(connection);
        }
        try
        {
            if (export)
            {
                await using var timeout = new NpgsqlCommand($"set statement_timeout = {options.ExportTimeoutSeconds * 1000}", connection);
                await timeout.ExecuteNonQueryAsync(ct);
            }
            // PostgreSQL's statement timeout ends a statement first, with its clear error; Npgsql's own (30 s by
            // default) would otherwise cut one that the configured timeout still allows.
            var command = new NpgsqlCommand(sql, connection)
            {
                CommandTimeout = (export ? options.ExportTimeoutSeconds : options.TimeoutSeconds) + 10,
            };
            foreach (var value in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            return await command.ExecuteReaderAsync(System.Data.CommandBehavior.CloseConnection, ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void GiveBackWhenClosed(NpgsqlConnection connection)
    {
        var given = 0;
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref given, 1) == 0)
            {
                _places.Release();
            }
        };
    }

    public void Dispose()
    {
        dataSource.Dispose();
        _places.Dispose();
    }
}

/// <summary>Every place for a query stayed taken for <see cref="QueryOptions.QueueSeconds"/>: the node is too busy now (503).</summary>
public sealed class QueriesBusyException() : Exception("every query place stayed taken for FlowLens:Queries:QueueSeconds");
