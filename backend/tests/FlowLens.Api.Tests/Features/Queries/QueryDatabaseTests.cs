using FlowLens.Api.Features.Queries;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Queries;

public sealed class QueryDatabaseTests(PostgresFixture postgres)
{
    [Slow]
    [Fact]
    public async Task AStatement_RunsUpToTheConfiguredTimeout_EvenPastNpgsqlsOwnThirtySeconds()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions { TimeoutSeconds = 45 });
        await using var reader = await database.ReadAsync("select 1 from pg_sleep(31)", [], ct);
        Assert.True(await reader.ReadAsync(ct));
    }

    [Fact]
    public async Task AStatement_PastTheConfiguredTimeout_IsCancelledByPostgreSQL()
    {
        var ct = TestContext.Current.CancellationToken;
        using var database = QueryDatabase.Create(await postgres.CreateDatabaseAsync(), new QueryOptions { TimeoutSeconds = 1 });
        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var reader = await database.ReadAsync("select 1 from pg_sleep(3)", [], ct);
            await reader.ReadAsync(ct);
        });
        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
    }
}
