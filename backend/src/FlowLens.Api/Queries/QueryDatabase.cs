using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
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

    /// <summary>
    /// Chunks (of up to 2,000 flows) one call of the flow feed unpacks at most: a filter that matches little, over a
    /// large backlog, answers a page with fewer flows and <c>more</c> rather than read the backlog in one call.
    /// </summary>
    [Range(1, 100_000)]
    public int FeedChunksPerCall { get; set; } = 100;

    public FilterLimits FilterLimits => new(MaxFilterLength, MaxFilterDepth);
}

/// <summary>
/// The connections API queries run on: a pool of their own with a statement timeout, so no request can pin the
/// database; without JIT compilation (it costs seconds on wide queries over many partitions and saves little); and
/// with enough work memory to group a week of rollup rows in a hash table rather than sort them on disk.
/// Every query is logged at Debug (SQL, parameters, duration, rows) and shown to admins in <see cref="SqlHeader"/>.
/// </summary>
public sealed class QueryDatabase(
    NpgsqlDataSource dataSource, QueryOptions options, ILogger<QueryDatabase> logger, Func<ClaimsPrincipal, bool> maySeeSql) : IDisposable
{
    /// <summary>
    /// The SQL a request ran, for admins only: whitespace collapsed to single spaces, several queries joined by
    /// <see cref="SqlSeparator"/>, cut at <see cref="MaxSqlHeaderLength"/> characters (the Debug log has it whole).
    /// </summary>
    public const string SqlHeader = "X-FlowLens-Sql";
    public const string SqlSeparator = " ; ";
    public const int MaxSqlHeaderLength = 8192;
    private const string Cut = " ... (cut; the Debug log has the whole SQL)";

    // Searches and stats take a place before their connection and give it back when it closes (exports have limits of their own).
    private readonly SemaphoreSlim _places = new(options.MaxConcurrent);

    /// <param name="maySeeSql">Who gets <see cref="SqlHeader"/> (admins, as Hosting wires it); nobody when null.</param>
    public static QueryDatabase Create(string connectionString, QueryOptions options, ILogger<QueryDatabase> logger, Func<ClaimsPrincipal, bool>? maySeeSql = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c statement_timeout={options.TimeoutSeconds * 1000} -c jit=off -c work_mem=64MB".Trim();
        builder.ApplicationName ??= "FlowLens queries";
        return new QueryDatabase(new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = "FlowLens queries" }.Build(), options, logger, maySeeSql ?? (_ => false));
    }

    /// <summary>How long and deep the filters of these queries may be.</summary>
    public FilterLimits FilterLimits => options.FilterLimits;

    /// <summary>Chunks one call of the flow feed unpacks at most (<see cref="QueryOptions.FeedChunksPerCall"/>).</summary>
    public int FeedChunksPerCall => options.FeedChunksPerCall;

    /// <summary>
    /// A command with its <c>$n</c> parameters, on a connection from the pool (closed with the reader); run for
    /// <paramref name="http"/>'s request, whose response shows the SQL to admins.
    /// </summary>
    public async Task<NpgsqlDataReader> ReadAsync(HttpContext http, string sql, IReadOnlyList<object> parameters, CancellationToken ct, bool export = false)
    {
        ShowSql(http, sql);
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
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (export)
            {
                await using var timeout = new NpgsqlCommand($"set statement_timeout = {options.ExportTimeoutSeconds * 1000}", connection);
                await timeout.ExecuteNonQueryAsync(ct);
            }
            // A batch of one: unlike a command's, its statement counts the rows a select returned, for the log.
            var statement = new NpgsqlBatchCommand(sql);
            foreach (var value in parameters)
            {
                statement.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            var batch = new NpgsqlBatch(connection)
            {
                BatchCommands = { statement },
                // PostgreSQL's statement timeout ends a statement first, with its clear error; Npgsql's own (30 s by
                // default) would otherwise cut one that the configured timeout still allows.
                Timeout = (export ? options.ExportTimeoutSeconds : options.TimeoutSeconds) + 10,
            };
            var reader = await batch.ExecuteReaderAsync(System.Data.CommandBehavior.CloseConnection, ct);
            LogWhenClosed(connection, statement, sql, parameters, started);
            return reader;
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Query failed after {ElapsedMs} ms: {Sql} with {Parameters}",
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, sql, Describe(parameters));
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds <paramref name="sql"/> to the request's <see cref="SqlHeader"/> when the caller may see it.</summary>
    private void ShowSql(HttpContext http, string sql)
    {
        if (!maySeeSql(http.User))
        {
            return;
        }
        var shown = http.Response.Headers[SqlHeader].ToString() is { Length: > 0 } earlier ? earlier + SqlSeparator + OneLine(sql) : OneLine(sql);
        http.Response.Headers[SqlHeader] = shown.Length <= MaxSqlHeaderLength ? shown : shown[..(MaxSqlHeaderLength - Cut.Length)] + Cut;
    }

    /// <summary>The SQL on one line, as <see cref="SqlHeader"/> shows it: runs of whitespace as one space, other than printable ASCII as <c>?</c>.</summary>
    public static string OneLine(string sql) =>
        new([.. string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Select(c => c is >= ' ' and <= '~' ? c : '?')]);

    /// <summary>One Debug line per query once its reader is closed: how long it ran (reading included) and the rows it read.</summary>
    private void LogWhenClosed(NpgsqlConnection connection, NpgsqlBatchCommand statement, string sql, IReadOnlyList<object> parameters, long started)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }
        var logged = 0;
        connection.StateChange += (_, change) =>
        {
            if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref logged, 1) == 0)
            {
                logger.LogDebug("Query ran for {ElapsedMs} ms, {Rows} rows: {Sql} with {Parameters}",
                    (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, statement.Rows, sql, Describe(parameters));
            }
        };
    }

    /// <summary>The parameters as <c>$1=value, $2=value</c>; arrays as <c>{a,b}</c>, times in ISO 8601.</summary>
    public static string Describe(IReadOnlyList<object> parameters) =>
        string.Join(", ", parameters.Select((value, i) => $"${i + 1}={Value(value)}"));

    private static string Value(object value) => value switch
    {
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
        System.Collections.IEnumerable items => "{" + string.Join(",", items.Cast<object>().Select(Value)) + "}",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

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
