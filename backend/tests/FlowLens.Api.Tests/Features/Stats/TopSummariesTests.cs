using System.Net.Http.Json;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Stats;
using FlowLens.Core.Synthetic;
using static FlowLens.Api.Tests.Infrastructure.QueryData;

namespace FlowLens.Api.Tests.Features.Stats;

/// <summary>The bounded top summaries: within maxError of the exact answer when they left keys out, rewritten only where touched.</summary>
public sealed class TopSummariesTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    private static readonly DateTimeOffset Day1 = FirstDay, Day2 = FirstDay.AddDays(1), End = FirstDay.AddDays(2);

    [Fact]
    public async Task Top_WithFarMoreValuesThanTopKeys_IsWithinMaxError_OfTheExactAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Rollups:TopKeys", "10");
        });
        var source = await _folder.CreateSourceAsync(app);
        // The first day merged (hours and day summaries), the second as ingestion appended it (several objects an hour).
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day1, files: 48, recordsPerFile: 200, seed: 31);
        await app.IngestAsync(source);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day2, files: 48, recordsPerFile: 200, seed: 32);
        await app.IngestAsync(source);
        Assert.True(await app.ScalarAsync<long>("select count(distinct srcaddr) from flows") > 100);
        var client = app.CreateClient(FlowLensApp.AdminKey);

        var approximate = 0;
        foreach (var (from, to) in new[] { (Day1, End), (Day1.AddHours(13), Day1.AddHours(18)), (Day1.AddHours(13), End), (Day2.AddHours(5), Day2.AddHours(6)) })
        {
            foreach (var by in new[] { "srcaddr", "dstaddr", "dstport", "interface-id" })
            {
                foreach (var metric in new[] { "bytes", "flows", "packets" })
                {
                    foreach (var filter in new[] { "", "action = REJECT" })
                    {
                        var query = Query(from, to, ("by", by), ("metric", metric), ("q", filter));
                        var response = await client.GetAsync($"/api/stats/top?{query}&limit=10", ct);
                        Assert.Equal("rollup-top", response.Headers.GetValues(StatsApi.PathHeader).Single());
                        var top = (await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct))!;
                        var exact = (await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{query}&limit=1000&exact=true", ct))!;
                        Assert.False(exact.Approximate);
                        Assert.Equal(0L, exact.MaxError);
                        // exact=true is the raw flows' answer.
                        var raw = (await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{query}&limit=10&rollups=false", ct))!;
                        Assert.Equal(exact.Items.Take(10), raw.Items);
                        TopAssert.Within(top, exact.Items, metric, 10, $"{by} {metric} '{filter}' {from:dd HH}-{to:dd HH}");
                        approximate += top.Approximate ? 1 : 0;
                    }
                }
            }
        }
        // Most of these left keys out (a few fields have fewer than 10 values an hour: exact, maxError 0).
        Assert.True(approximate > 40, $"{approximate} approximate answers");
    }

    [Theory]
    [InlineData(9_600, "raw")]      // the day's 9,600 records: at most the setting, so exact from the raw flows
    [InlineData(9_599, "rollup-top")] // one record fewer allowed: from the summaries, within maxError
    public async Task Top_OverAtMostExactTopRecords_IsAnsweredExactly_FromTheRawFlows(long exactTopRecords, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Rollups:TopKeys", "10");
            b.UseSetting("FlowLens:Rollups:ExactTopRecords", exactTopRecords.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        var source = await _folder.CreateSourceAsync(app);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day1, files: 48, recordsPerFile: 200, seed: 31);
        await app.IngestAsync(source);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(9_600L, await app.ScalarAsync<long>("select count(*) from flows where start is not null"));
        var client = app.CreateClient(FlowLensApp.AdminKey);

        var query = Query(Day1, Day2, ("by", "srcaddr"));
        var response = await client.GetAsync($"/api/stats/top?{query}&limit=10", ct);
        Assert.Equal(path, response.Headers.GetValues(StatsApi.PathHeader).Single());
        var top = (await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct))!;
        var exact = (await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{query}&limit=10&exact=true", ct))!;
        if (path == "raw")
        {
            Assert.Equal((false, 0L), (top.Approximate, top.MaxError));
            Assert.Equal(exact.Items, top.Items);
        }
        else
        {
            Assert.True(top.Approximate); // a day of 9,600 records has far more than 10 source addresses
        }
    }

    [Fact]
    public async Task Compaction_RewritesOnlyTheHoursAndDaysItTouched()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var source = await _folder.CreateSourceAsync(app);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day1, files: 24, recordsPerFile: 50, seed: 41);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day2, files: 24, recordsPerFile: 50, seed: 42);
        await app.IngestAsync(source);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.False(await app.ScalarAsync<bool>(Rollups.PendingSql));
        var hoursBefore = await VersionsAsync(app, "flow_top_1h");
        var daysBefore = await VersionsAsync(app, "flow_top_1d");
        // A summary per hour (or day), field and account.
        var accounts = (int)await app.ScalarAsync<long>("select count(distinct account_id) from flow_top_1h");
        Assert.Equal(SyntheticEstate.Accounts.Count, accounts);
        Assert.Equal(2 * 24 * 4 * accounts, hoursBefore.Count);
        Assert.Equal(2 * 4 * accounts, daysBefore.Count);

        // One more object, all in one hour of the second day, with a new address.
        var hour = Day2.AddHours(7);
        var start = hour.AddMinutes(20).ToUnixTimeSeconds();
        _folder.WriteGzip("late/object.log.gz", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
            + $"2 123456789010 eni-late 203.0.113.99 10.0.0.2 40000 443 6 3 900 {start} {start + 60} ACCEPT OK");
        await app.IngestAsync(source);
        Assert.True(await app.ScalarAsync<bool>(Rollups.PendingSql));
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.False(await app.ScalarAsync<bool>(Rollups.PendingSql));

        var hoursAfter = await VersionsAsync(app, "flow_top_1h");
        var daysAfter = await VersionsAsync(app, "flow_top_1d");
        var hourKey = hour.UtcDateTime.ToString("O");
        // That hour's four summaries of each account and its day's were rewritten (and the late object's account has its
        // own); none of the 188 other hours, nor the other day.
        Assert.Equal(hoursBefore.Keys.Where(k => k.StartsWith(hourKey, StringComparison.Ordinal)).Order(),
            hoursBefore.Keys.Where(k => hoursBefore[k] != hoursAfter.GetValueOrDefault(k)).Order());
        Assert.Equal(4 * accounts, hoursBefore.Keys.Count(k => hoursBefore[k] != hoursAfter.GetValueOrDefault(k)));
        Assert.All(hoursAfter.Keys.Except(hoursBefore.Keys), k => Assert.StartsWith(hourKey, k));
        Assert.Equal(daysBefore.Keys.Where(k => k.StartsWith(Day2.UtcDateTime.ToString("O"), StringComparison.Ordinal)).Order(),
            daysBefore.Keys.Where(k => daysBefore[k] != daysAfter.GetValueOrDefault(k)).Order());
        Assert.Equal(4 * accounts, daysBefore.Keys.Count(k => daysBefore[k] != daysAfter.GetValueOrDefault(k)));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        var top = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<StatsApi.TopResponse>(
            $"/api/stats/top?{Query(Day2, End, ("by", "interface-id"), ("limit", "1000"))}", TestContext.Current.CancellationToken);
        Assert.Equal(900L, top!.Items.Single(i => i.Key == "eni-late").Bytes);
    }

    [Fact]
    public async Task ADayWithoutItsSummary_IsAnsweredFromItsHours_AndTheNextRunWritesItAgain()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var source = await _folder.CreateSourceAsync(app);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day1, files: 24, recordsPerFile: 50, seed: 61);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day2, files: 24, recordsPerFile: 50, seed: 62);
        await app.IngestAsync(source);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var url = $"/api/stats/top?{Query(Day1, End, ("by", "dstport"), ("limit", "20"))}";
        var before = await client.GetStringAsync(url, TestContext.Current.CancellationToken);
        var days = await VersionsAsync(app, "flow_top_1d");

        // As a run leaves it between a batch (which deletes the days of the hours it merged into) and writing those days.
        await app.ScalarAsync<int>("with d as (delete from flow_top_1d where bucket = $1 and field = 3 returning 1) select count(*)::int from d", Day1.UtcDateTime);
        Assert.True(await app.ScalarAsync<bool>(Rollups.PendingSql));
        Assert.Equal(before, await client.GetStringAsync(url, TestContext.Current.CancellationToken));

        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.False(await app.ScalarAsync<bool>(Rollups.PendingSql));
        var after = await VersionsAsync(app, "flow_top_1d");
        Assert.Equal(days.Keys.Order(), after.Keys.Order());
        // Only that day's dstport summaries were written again.
        var rewritten = days.Keys.Where(k => days[k] != after[k]).ToList();
        Assert.NotEmpty(rewritten);
        Assert.All(rewritten, k => Assert.StartsWith($"{Day1.UtcDateTime:O} 3 ", k));
        Assert.Equal(before, await client.GetStringAsync(url, TestContext.Current.CancellationToken));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
    }

    [Fact]
    public async Task Compaction_TakesAppendedRowsInBatches_UntilNoneWait()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var source = await _folder.CreateSourceAsync(app);
        // More objects than one batch takes: each appends a summary per top field of its hour.
        SyntheticFlowLogFiles.WriteDay(_folder.Root, Day1, files: RollupCompactionJob.AppendedRowsPerRun / 4 + 20, recordsPerFile: 8, seed: 51);
        await app.IngestAsync(source);
        Assert.True(await app.ScalarAsync<long>("select count(*) from flow_top_appended") > RollupCompactionJob.AppendedRowsPerRun);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.False(await app.ScalarAsync<bool>(Rollups.PendingSql));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(4L, await app.ScalarAsync<long>("select count(distinct (bucket, field)) from flow_top_1d"));
    }

    [Fact]
    public async Task Top_FromMergedAppendedAndDirtyHours_EqualsTheRawAnswer_TiesAndRejectsIncluded()
    {
        var ct = TestContext.Current.CancellationToken;
        // Every top from the summaries, however small its range (none answered raw for having few records).
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Rollups:ExactTopRecords", "0");
        });
        var source = await _folder.CreateSourceAsync(app);
        var hour = Day1.AddHours(5);
        // 10.0.0.9, .10, .100 and .11 tie on bytes (ranked by key in byte order: .10, .100, .11, .9); 10.0.0.7 has a
        // REJECT record of 0 bytes, listed in a REJECT top; the keys without REJECT records are not.
        WriteObject("a/object.log.gz", hour, "10.0.0.9 443 10 840 ACCEPT", "10.0.0.10 443 10 840 ACCEPT", "10.0.0.100 22 10 840 ACCEPT",
            "10.0.0.7 22 1 0 REJECT", "10.0.0.8 3389 2 500 REJECT", "10.0.0.50 80 3 900 ACCEPT");
        WriteObject("b/object.log.gz", hour.AddHours(1), "10.0.0.9 443 10 840 ACCEPT", "10.0.0.10 443 10 840 REJECT", "10.0.0.11 53 20 1680 ACCEPT",
            "10.0.0.8 3389 2 500 REJECT");
        await app.IngestAsync(source);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        // The first object replaced (without 10.0.0.50, one more REJECT): its merged hour is dirty, read from the raw flows.
        WriteObject("a/object.log.gz", hour, "10.0.0.9 443 10 840 ACCEPT", "10.0.0.10 443 10 840 ACCEPT", "10.0.0.100 22 10 840 ACCEPT",
            "10.0.0.7 22 1 0 REJECT", "10.0.0.8 3389 2 500 REJECT", "10.0.0.8 3389 2 500 REJECT");
        File.SetLastWriteTimeUtc(Path.Combine(_folder.Root, "a/object.log.gz"), DateTime.UtcNow.AddMinutes(1));
        // A third hour as appended, not merged.
        WriteObject("c/object.log.gz", hour.AddHours(2), "10.0.0.100 443 10 840 ACCEPT", "10.0.0.7 22 1 0 REJECT", "10.0.0.12 443 1 100 REJECT");
        await app.IngestAsync(source);
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from flow_top_dirty"));
        Assert.True(await app.ScalarAsync<long>("select count(*) from flow_top_appended") > 0);
        var client = app.CreateClient(FlowLensApp.AdminKey);

        foreach (var (from, to) in new[] { (Day1, Day2), (hour, hour.AddHours(3)) })
        {
            foreach (var by in new[] { "srcaddr", "dstport" })
            {
                foreach (var metric in new[] { "bytes", "flows", "packets" })
                {
                    foreach (var filter in new[] { "", "action = REJECT" })
                    {
                        foreach (var limit in new[] { "2", "1000" })
                        {
                            var query = Query(from, to, ("by", by), ("metric", metric), ("q", filter), ("limit", limit));
                            var response = await client.GetAsync($"/api/stats/top?{query}", ct);
                            Assert.Equal("rollup-top", response.Headers.GetValues(StatsApi.PathHeader).Single());
                            var top = (await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct))!;
                            var raw = (await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{query}&rollups=false", ct))!;
                            Assert.Equal((false, 0L), (top.Approximate, top.MaxError));
                            Assert.Equal(raw.Items, top.Items);
                        }
                    }
                }
            }
        }
        var bytes = await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{Query(Day1, Day2, ("by", "srcaddr"), ("limit", "1000"))}", ct);
        Assert.Equal(["10.0.0.10", "10.0.0.100", "10.0.0.11", "10.0.0.9", "10.0.0.8", "10.0.0.12", "10.0.0.7"], bytes!.Items.Select(i => i.Key));
        var rejected = await client.GetFromJsonAsync<StatsApi.TopResponse>($"/api/stats/top?{Query(Day1, Day2, ("by", "srcaddr"), ("q", "action = REJECT"), ("limit", "1000"))}", ct);
        Assert.Equal(["10.0.0.8", "10.0.0.10", "10.0.0.12", "10.0.0.7"], rejected!.Items.Select(i => i.Key));
    }

    /// <summary>Writes an object of records <c>srcaddr dstport packets bytes action</c> from 10.1.0.2, 20 minutes into <paramref name="hour"/>.</summary>
    private void WriteObject(string name, DateTimeOffset hour, params string[] records)
    {
        var start = hour.AddMinutes(20).ToUnixTimeSeconds();
        _folder.WriteGzip(name, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
            + string.Join('\n', records.Select(r => r.Split(' ')).Select(f =>
                $"2 123456789010 eni-1 {f[0]} 10.1.0.2 40000 {f[1]} 6 {f[2]} {f[3]} {start} {start + 60} {f[4]} OK")));
    }

    /// <summary>Each summary row's (bucket and field) row version (xmin): it changes when the row is written again.</summary>
    private static async Task<Dictionary<string, string>> VersionsAsync(FlowLensApp app, string table)
    {
        var rows = await Sql.ColumnAsync<string>(app.ConnectionString,
            $"select to_char(bucket at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.0000000Z') || ' ' || field || ' ' || coalesce(account_id::text, '-') || ' ' || xmin::text from {table}");
        return rows.Select(r => r.Split(' ')).ToDictionary(p => $"{p[0]} {p[1]} {p[2]}", p => p[3]);
    }

    public void Dispose() => _folder.Dispose();
}
