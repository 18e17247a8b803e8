using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>Real FlowLens processes: two sharing one database, and one killed in the middle of an object.</summary>
[Slow]
public sealed class NodeFailureTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task TwoProcesses_SyncingTheSameSourceAtOnce_ShareTheWork_AndStoreEachRecordOnce()
    {
        _folder.WriteDay(files: 12, recordsPerFile: 5000, seed: 21);
        var database = await postgres.CreateDatabaseAsync();
        await using var first = await FlowLensProcess.StartAsync(database, _folder.Root);
        await using var second = await FlowLensProcess.StartAsync(database, _folder.Root);
        var id = await first.CreateDirectorySourceAsync(_folder.Root);

        var ct = TestContext.Current.CancellationToken;
        await Task.WhenAll(first.CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct), second.CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct));
        await first.WaitUntilIdleAsync(id, expectedObjects: 12);

        Assert.Equal(60_000L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.Equal(12L, await Sql.ScalarAsync<long>(database, "select count(distinct object_id) from flows"));
        Assert.Equal(0L, await Sql.RollupMismatchesAsync(database));
        // Both processes ran object jobs: Hangfire spread the queue over them.
        Assert.Equal(2L, await Sql.ScalarAsync<long>(database, """
            select count(distinct s.data::json->>'ServerId') from hangfire.state s join hangfire.job j on j.id = s.jobid
            where s.name = 'Processing' and (j.invocationdata::json)->>'Type' like '%IngestObjectJob%'
            """));
    }

    [Fact]
    public async Task ProcessKilledMidObject_LeavesNothingPartial_AndARestartFinishesTheRest()
    {
        // One object big enough to be caught in the middle of its COPY, and a few small ones.
        SyntheticFlowLogFiles.WriteDay(Path.Combine(_folder.Root, "big"), DateTimeOffset.UtcNow.Date.AddDays(-1), files: 1, recordsPerFile: 400_000, seed: 5);
        _folder.WriteDay(files: 3, recordsPerFile: 1000, seed: 6);
        var database = await postgres.CreateDatabaseAsync();
        long id;
        await using (var doomed = await FlowLensProcess.StartAsync(database, _folder.Root))
        {
            id = await doomed.CreateDirectorySourceAsync(_folder.Root);
            await doomed.CreateClient().PostAsync($"/api/sources/{id}/sync", null, TestContext.Current.CancellationToken);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await Sql.ScalarAsync<long>(database, "select count(*) from pg_stat_activity where datname = current_database() and query like 'copy flow_chunks%' and state = 'active'") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no COPY seen");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
            await Task.Delay(300, TestContext.Current.CancellationToken);
            await doomed.KillAsync();
        }

        // The database ends the dead client's transaction: every stored row belongs to an object the ledger calls done.
        await WaitForNoCopyAsync(database);
        Assert.Equal(await Sql.ScalarAsync<long>(database, "select coalesce(sum(records), 0)::bigint from source_objects where state = 'ingested'"),
            await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.True(await Sql.ScalarAsync<long>(database, "select count(*) from source_objects where state = 'pending'") >= 1);

        await using var restarted = await FlowLensProcess.StartAsync(database, _folder.Root);
        await restarted.CreateClient().PostAsync($"/api/sources/{id}/sync", null, TestContext.Current.CancellationToken);
        await restarted.WaitUntilIdleAsync(id, expectedObjects: 4);
        Assert.Equal(403_000L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.Equal(4L, await Sql.ScalarAsync<long>(database, "select count(*) from source_objects where state = 'ingested'"));
    }

    [Fact]
    public async Task AJobFetchedByAWorkerThatNeverRanIt_IsRunByAnotherAfterTheInvisibilityTimeout()
    {
        _folder.WriteDay(files: 2, recordsPerFile: 1000, seed: 9);
        var database = await postgres.CreateDatabaseAsync();
        var ct = TestContext.Current.CancellationToken;
        long id;
        // A web node alone queues the sync; nobody runs it.
        await using (var web = await FlowLensProcess.StartAsync(database, _folder.Root, environment: new Dictionary<string, string> { ["FlowLens__Jobs__Worker"] = "false" }))
        {
            id = await web.CreateDirectorySourceAsync(_folder.Root);
            (await web.CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct)).EnsureSuccessStatusCode();
        }
        // As a worker leaves it when it dies, or loses the job it fetched: claimed six minutes ago, never run.
        Assert.True(await Sql.ScalarAsync<long>(database,
            "with claimed as (update hangfire.jobqueue set fetchedat = (now() at time zone 'utc') - interval '6 minutes' returning 1) select count(*) from claimed") >= 1);

        await using var worker = await FlowLensProcess.StartAsync(database, _folder.Root);
        await worker.WaitUntilIdleAsync(id, expectedObjects: 2);
        Assert.Equal(2000L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
    }

    private static async Task WaitForNoCopyAsync(string database)
    {
        for (var i = 0; i < 100 && await Sql.ScalarAsync<long>(database, "select count(*) from pg_stat_activity where datname = current_database() and query like 'copy flow_chunks%'") > 0; i++)
        {
            await Task.Delay(100);
        }
    }

    public void Dispose() => _folder.Dispose();
}
