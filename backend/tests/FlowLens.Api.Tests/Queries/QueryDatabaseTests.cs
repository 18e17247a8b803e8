using System.Security.Claims;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Queries;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlowLens.Api.Tests.Queries;

public sealed class QueryDatabaseTests(PostgresFixture postgres)
{
    [Slow]
    [Fact]
    public async Task AStatement_RunsUpToTheConfiguredTimeout_EvenPastNpgsqlsOwnThirtySeconds()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions { TimeoutSeconds = 45 }, new LogRecorder<QueryDatabase>());
        await using var reader = await database.ReadAsync(new DefaultHttpContext(), "select 1 from pg_sleep(31)", [], ct);
        Assert.True(await reader.ReadAsync(ct));
    }

    [Fact]
    public async Task AStatement_PastTheConfiguredTimeout_IsCancelledByPostgreSQL()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions { TimeoutSeconds = 1 }, new LogRecorder<QueryDatabase>());
        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var reader = await database.ReadAsync(new DefaultHttpContext(), "select 1 from pg_sleep(3)", [], ct);
            await reader.ReadAsync(ct);
        });
        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
    }

    [Fact]
    public async Task EveryQuery_IsLoggedAtDebug_WithItsParametersRowsAndDuration()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = new LogRecorder<QueryDatabase>();
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions(), log);
        await using (var reader = await database.ReadAsync(new DefaultHttpContext(), "select n from generate_series(1, $1) n where $2 <> ''", [3L, "it's"], ct))
        {
            while (await reader.ReadAsync(ct))
            {
            }
        }
        var (level, message) = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Debug, level);
        Assert.Matches(@"^Query ran for \d+ ms, 3 rows: select n from generate_series\(1, \$1\) n where \$2 <> '' with \$1=3, \$2='it''s'$", message);
    }

    [Fact]
    public async Task AFailingQuery_IsLoggedAtDebug_WithItsSql()
    {
        var ct = TestContext.Current.CancellationToken;
        var log = new LogRecorder<QueryDatabase>();
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions(), log);
        await Assert.ThrowsAsync<PostgresException>(() => database.ReadAsync(new DefaultHttpContext(), "select * from no_such_table", [], ct));
        var (level, message) = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Debug, level);
        Assert.StartsWith("Query failed after ", message, StringComparison.Ordinal);
        Assert.Contains("select * from no_such_table", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoQueriesOfAnAdminsRequest_AreShownOnOneLine_JoinedBySemicolon()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions(), new LogRecorder<QueryDatabase>(),
            maySeeSql: user => user.IsInRole(Roles.Admin));
        var admin = new DefaultHttpContext { User = new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin)], "test")) };
        await (await database.ReadAsync(admin, "select 1\n  where true", [], ct)).DisposeAsync();
        await (await database.ReadAsync(admin, "select\t2", [], ct)).DisposeAsync();
        Assert.Equal("select 1 where true ; select 2", admin.Response.Headers[QueryDatabase.SqlHeader].ToString());
    }
}
