using System.Net;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Hosting;

[Slow]
public sealed class MigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Start_MigratesAnEmptyDatabase_ThenStartsAgainOnTheMigratedOne()
    {
        var database = await postgres.CreateDatabaseAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.Empty(await TablesAsync(database));

        await using (var first = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.CreateClient(apiKey: null).GetAsync("/api/health", ct)).StatusCode);
            await AssertFullyMigratedAsync(first);
            // Hangfire's storage lives in its own schema of the same database.
            await first.CreateClient(FlowLensApp.AdminKey).GetAsync("/hangfire", ct);
        }
        var afterFirst = await TablesAsync(database);
        Assert.Contains("public.api_keys", afterFirst);
        Assert.Contains("hangfire.job", afterFirst);

        await using (var second = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.OK, (await second.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
            await AssertFullyMigratedAsync(second);
        }
        Assert.Equal(afterFirst, await TablesAsync(database));
    }

    [Fact]
    public async Task Start_CreatesTheDatabase_WhenTheServerHasNone()
    {
        var existing = new Npgsql.NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        existing.Database = "flowlens_fresh_" + Guid.NewGuid().ToString("N")[..8];
        await using var app = new FlowLensApp(existing.ConnectionString);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        await AssertFullyMigratedAsync(app);
    }

    [Fact]
    public async Task NodesStartingTogether_OnAnEmptyDatabase_MigrateItOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var ct = TestContext.Current.CancellationToken;
        var nodes = Enumerable.Range(0, 3).Select(_ => new FlowLensApp(database, b =>
        {
            b.UseSetting("FlowLens:Auth:BootstrapAdmin:Email", "admin@example.org");
            b.UseSetting("FlowLens:Auth:BootstrapAdmin:Password", "the first admin's password");
        })).ToList();
        try
        {
            // EF Core takes a database lock around migrations: the others wait, then find nothing to do.
            var answers = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct), ct)));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            await AssertFullyMigratedAsync(nodes[0]);
            Assert.Equal(1L, await nodes[0].ScalarAsync<long>("select count(*) from api_keys where name = 'bootstrap' and revoked_at is null"));
            Assert.Equal(1L, await nodes[0].ScalarAsync<long>("select count(*) from users"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ProcessesStartingTogether_OnAnEmptyDatabase_SetUpHangfireWithoutAnError_AndRunJobs()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new FlowLogFolder();
        folder.WriteDay(files: 2, recordsPerFile: 100, seed: 8);
        var database = await postgres.CreateDatabaseAsync();

        // Left alone, the nodes reach Hangfire's tables at the same moment only now and then. Hangfire's installer
        // first reads its version table, hangfire.schema: make it (empty, as its first script would) and hold it, so
        // that every node gets there before any of them can go on.
        await Sql.ScalarAsync<int>(database, "create schema hangfire; create table hangfire.schema (version int not null primary key); select 1");
        await using var hold = await TableHold.StartAsync(database, "hangfire.schema", ct);

        // Real processes: each sets up Hangfire's storage (hosts in one process share Hangfire's global state).
        var starting = Enumerable.Range(0, 3).Select(_ => FlowLensProcess.StartAsync(database, folder.Root)).ToList();
        var nodes = new List<FlowLensProcess>();
        try
        {
            // Waiting on a lock: at the table, or (one at a time) at FlowLens's turn before it.
            var waiting = await hold.WaitForWaitersAsync(starting.Count, () => starting.Any(t => t.IsCompleted), ct);
            await hold.ReleaseAsync();
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
            Assert.Equal(starting.Count, waiting);

            // Jobs run: a sync asked of one node is done by the workers.
            var id = await nodes[0].CreateDirectorySourceAsync(folder.Root);
            (await nodes[1].CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct)).EnsureSuccessStatusCode();
            await nodes[2].WaitUntilIdleAsync(id, expectedObjects: 2);
            Assert.Equal(200L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));

            // No node tripped over another setting up Hangfire's tables.
            var errors = nodes.SelectMany(n => HangfireErrors(n.FullLog)).ToList();
            Assert.True(errors.Count == 0, "Hangfire logged errors:\n" + string.Join('\n', errors));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NewestMigrations_GoDownAndUpAgain_KeepingEveryTableAndRow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new FlowLensApp(await postgres.CreateDatabaseAsync());
        (await app.CreateClient(apiKey: null).GetAsync("/api/health", ct)).EnsureSuccessStatusCode(); // starts it: it migrates
        // Rows in the table the newest migrations change: a chunk of two flow records with its Bloom filter (going down,
        // it gets its distinct addresses back, then becomes rows of the flows table; coming up, a chunk again).
        var bloom = new AddressBloom();
        bloom.Add(FlowAddress.FromIPv4(0x0A000001));
        bloom.Add(FlowAddress.FromIPv4(0x0A000002));
        await app.ScalarAsync<int>("""
            with i as (insert into flow_chunks (start_min, start_max, base, object_id, source_id, line0, n, bloom, t, e, srcaddr, dstaddr, dstport, action, log_status, protocol, bytes, packets)
                values ('2026-11-30 10:07+00', '2026-11-30 10:09+00', '2026-11-30 10:07+00', 1, 1, 1, 2, $1, '{0,120}', '{60,180}',
                    '{10.0.0.1,10.0.0.2}', '{10.0.0.2,10.0.0.1}', '{443,50000}', '{1,2}', '{1,1}', '{6,6}', '{100,40}', '{10,1}') returning 1)
            select count(*)::int from i
            """, bloom.ToBytes().ToArray());
        const string Flows = """
            select string_agg(concat_ws(' ', start, "end", srcaddr, dstaddr, dstport, action, log_status, bytes, packets, line), ', ' order by line) from flows
            """;
        var flows = await app.ScalarAsync<string>(Flows);
        Assert.Equal("2026-11-30 10:07:00+00 2026-11-30 10:08:00+00 10.0.0.1 10.0.0.2 443 1 1 100 10 1, "
            + "2026-11-30 10:09:00+00 2026-11-30 10:10:00+00 10.0.0.2 10.0.0.1 50000 2 1 40 1 2", flows);
        // And rows in the tables the newest adds: a network, an AWS prefix and its import.
        await app.ScalarAsync<int>("""
            insert into networks (cidr, name, created_at, updated_at) values ('10.0.0.0/16', 'prod', now(), now());
            insert into aws_ip_ranges (ordinal, prefix, service, region) values (1, '52.218.0.0/17', 'S3', 'eu-west-1');
            insert into aws_ip_ranges_imports (at, origin, sync_token, create_date, ipv4_prefixes, ipv6_prefixes) values (now(), 'upload', '1', now(), 1, 0);
            select 1
            """);
        var tables = await TablesAsync(app.ConnectionString);
        var rows = await RowCountsAsync(app.ConnectionString);
        string[] contextTables = ["aws_ip_ranges", "aws_ip_ranges_imports", "networks"];

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var migrations = db.Database.GetMigrations().ToList();
        var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
        var i = migrations.IndexOf("20261203120000_ContextFilters");
        Assert.Equal(["20261202120000_FlowChunks", "20261202160000_ChunkBlooms", "20261203100000_Inventory", "20261203110000_AddressContext",
            "20261203120000_ContextFilters"], migrations[(i - 4)..(i + 1)]);
        Assert.Equal(["20261204100000_SavedSearches", "20261204110000_ThreatLists", "20261204120000_Notifications", "20261204130000_Detections",
            "20261205090000_DetectionDigests", "20261206090000_InterfaceDigests", "20261206100000_RuleDigests", "20261207090000_RuleSearches",
            "20261207100000_FirehoseSources", "20261207110000_TransitGatewayFields", "20261207120000_AccessScopes",
            "20261207130000_RollupAccounts", "20261207140000_SessionDevices", "20261207150000_FlowFeed"], migrations[(i + 1)..]);

        // The detections' eight (#23) and #24's two (columns only) down: the detections' tables go, every other table keeps its rows.
        string[] detectionTables = ["saved_searches", "threat_lists", "threat_list_entries", "channels", "deliveries", "rules", "findings",
            "finding_windows", "detection_windows", "detection_slices", "detection_digests", "detection_interfaces", "rule_slices", "rule_digests", "interface_ports", "interface_bytes"];
        await migrator.MigrateAsync(migrations[i], ct);
        Assert.Equal(migrations.Take(i + 1), await db.Database.GetAppliedMigrationsAsync(ct));
        Assert.Equal(tables.Except(detectionTables.Select(t => $"public.{t}")), await TablesAsync(app.ConnectionString));
        var all = rows;
        rows = new SortedDictionary<string, long>(rows.Where(r => !detectionTables.Contains(r.Key)).ToDictionary());
        Assert.Equal(rows, await RowCountsAsync(app.ConnectionString));

        // ContextFilters down: the range type of addresses goes; every table keeps its rows.
        await migrator.MigrateAsync(migrations[i - 1], ct);
        Assert.Equal(migrations.Take(i), await db.Database.GetAppliedMigrationsAsync(ct));
        Assert.Equal(rows, await RowCountsAsync(app.ConnectionString));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from pg_type where typname in ('inetrange', 'inetmultirange')"));

        // AddressContext down: its three tables go, every other keeps its rows.
        await migrator.MigrateAsync(migrations[i - 2], ct);
        Assert.Equal(migrations.Take(i - 1), await db.Database.GetAppliedMigrationsAsync(ct));
        Assert.Equal(rows.Where(r => !contextTables.Contains(r.Key)), await RowCountsAsync(app.ConnectionString));

        // Inventory down: its tables go with it; every other table keeps its rows.
        await migrator.MigrateAsync(migrations[i - 3], ct);
        Assert.Equal(migrations.Take(i - 2), await db.Database.GetAppliedMigrationsAsync(ct));
        var older = rows.Where(r => !contextTables.Contains(r.Key) && !r.Key.StartsWith("inventory_", StringComparison.Ordinal)).ToList();
        Assert.Equal(older, await RowCountsAsync(app.ConnectionString));

        // ChunkBlooms down: the chunk's distinct addresses again, from its arrays, and no filter.
        await migrator.MigrateAsync(migrations[i - 4], ct);
        Assert.Equal(migrations.Take(i - 3), await db.Database.GetAppliedMigrationsAsync(ct));
        Assert.Equal(older, await RowCountsAsync(app.ConnectionString));
        Assert.Equal("{10.0.0.1,10.0.0.2}", await app.ScalarAsync<string>("select array(select a from unnest(addrs) a order by a)::text from flow_chunks"));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from pg_attribute where attrelid = 'flow_chunks'::regclass and attname = 'bloom'"));
        Assert.Equal(flows, await app.ScalarAsync<string>(Flows));
        // The maintenance job of that version indexes the closed partitions; coming up again drops the index with addrs.
        var partition = await app.ScalarAsync<string>("select tableoid::regclass::text from flow_chunks");
        await app.ScalarAsync<int>($"create index \"{partition}_addrs\" on \"{partition}\" using gin (addrs); select 1");

        // FlowChunks down: the tables a migration adds go with it; every other table keeps its rows; the tables it
        // dropped come back with theirs (flows, from the chunks).
        await migrator.MigrateAsync(migrations[i - 5], ct);
        var down = await RowCountsAsync(app.ConnectionString);
        Assert.Equal(rows.Where(r => down.ContainsKey(r.Key)), down.Where(r => rows.ContainsKey(r.Key)));
        Assert.Equal(2L, down["flows"]);
        Assert.Equal(flows, await app.ScalarAsync<string>(Flows));

        await migrator.MigrateAsync(cancellationToken: ct);
        await AssertFullyMigratedAsync(app);
        Assert.Equal(tables, await TablesAsync(app.ConnectionString));
        // RollupAccounts sums the totals again from the raw flows: the two flows (written without totals here) have theirs.
        Assert.Equal(all.Select(r => contextTables.Contains(r.Key) ? new KeyValuePair<string, long>(r.Key, 0)
            : r.Key == "flow_rollups_5m" ? new KeyValuePair<string, long>(r.Key, 2) : r), await RowCountsAsync(app.ConnectionString));
        Assert.True(await app.ScalarAsync<bool>("""
            select (select sum(records) from flow_rollups_5m) = (select count(*) from flows)
                and (select sum(bytes) from flow_rollups_5m) = (select sum(bytes) from flows) and (select sum(packets) from flow_rollups_5m) = (select sum(packets) from flows)
            """));
        Assert.Equal(flows, await app.ScalarAsync<string>(Flows));
        // Chunks made before the filters have none (a search reads them), nor the GIN index.
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from flow_chunks where bloom is null"));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from pg_indexes where indexname like 'flow_chunks%_addrs'"));
    }

    /// <summary>
    /// The rows of every parent or plain table of FlowLens's own schema (partitions are counted in their parents), but
    /// for EF Core's list of applied migrations.
    /// </summary>
    private static async Task<SortedDictionary<string, long>> RowCountsAsync(string connectionString)
    {
        var tables = await Sql.ColumnAsync<string>(connectionString, """
            select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> '__ef_migrations_history'
            order by 1
            """);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            counts[table] = await Sql.ScalarAsync<long>(connectionString, $"select count(*) from \"{table}\"");
        }
        return counts;
    }

    /// <summary>The lines of a process's (JSON) log that Hangfire wrote at level Error or Fatal, or with an exception.</summary>
    private static IEnumerable<string> HangfireErrors(string log) => log.Split('\n')
        .Where(line => line.StartsWith('{'))
        .Where(line =>
        {
            var entry = JsonDocument.Parse(line).RootElement;
            return entry.TryGetProperty("SourceContext", out var source) && source.GetString()!.StartsWith("Hangfire", StringComparison.Ordinal)
                   && (entry.TryGetProperty("@x", out _) || (entry.TryGetProperty("@l", out var level) && level.GetString() is "Error" or "Fatal"));
        });

    private static async Task AssertFullyMigratedAsync(FlowLensApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    private static Task<List<string>> TablesAsync(string connectionString) => Sql.ColumnAsync<string>(connectionString,
        "select table_schema || '.' || table_name from information_schema.tables " +
        "where table_schema not in ('pg_catalog', 'information_schema') order by 1");
}
