using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>An export of a million flows from a real FlowLens process: streamed, so its memory does not grow with it.</summary>
[Slow]
public sealed class ExportMemoryTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task CsvExportOfAMillionFlows_StreamsInConstantMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        _folder.WriteDay(files: 20, recordsPerFile: 50_000, seed: 31);
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await FlowLensProcess.StartAsync(database, _folder.Root, workers: 2);
        var id = await node.CreateDirectorySourceAsync(_folder.Root);
        await node.CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct);
        await node.WaitUntilIdleAsync(id, expectedObjects: 20);
        // The rollups' compaction that follows the load has its own memory (K keys times a batch of summaries): the
        // export is measured once it is done, alone.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (await Sql.ScalarAsync<bool>(database, FlowLens.Core.Stats.Rollups.PendingSql) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
        }

        var before = node.Memory();
        node.ResetPeakMemory();
        using var client = node.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        using var response = await client.GetAsync("/api/flows?format=csv&from=now-3d", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        long bytes = 0, lines = 0;
        var buffer = new byte[1 << 16];
        for (int n; (n = await body.ReadAsync(buffer, ct)) > 0;)
        {
            bytes += n;
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }
        var after = node.Memory();

        Assert.Equal(1_000_001L, lines); // the header and every flow
        // The export is hundreds of megabytes; the process's peak grows by a small fraction of it.
        Assert.True(bytes > 200L << 20, $"export of {bytes} bytes");
        var growth = after.Peak - before.Now;
        Assert.True(growth < 100L << 20, $"peak memory grew by {growth >> 20} MiB (from {before.Now >> 20} MiB) for an export of {bytes >> 20} MiB");
        TestContext.Current.SendDiagnosticMessage($"export {bytes >> 20} MiB; memory before {before.Now >> 20} MiB, peak during {after.Peak >> 20} MiB");
    }

    public void Dispose() => _folder.Dispose();
}
