using FlowLens.Api.Features.Stats;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// Two days of synthetic flows (the day before yesterday and yesterday), ingested once through a directory
/// source; the records are also kept in memory, read back from the files, to compute expected answers with LINQ.
/// The first day's rollup rows are compacted, the second day's are as ingestion appended them.
/// </summary>
public sealed class QueryData(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();

    public static readonly DateTimeOffset FirstDay = new(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero);

    public FlowLensApp App { get; private set; } = null!;

    public List<FlowRecord> Records { get; } = [];

    public async ValueTask InitializeAsync()
    {
        App = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(App);
        // The first day's rollup rows merged, the second day's as ingestion appended them: answers must not depend on it.
        await WriteAndIngestAsync(FirstDay, seed: 11, sourceId);
        await App.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        await WriteAndIngestAsync(FirstDay.AddDays(1), seed: 12, sourceId);
    }

    private async Task WriteAndIngestAsync(DateTimeOffset day, int seed, long sourceId)
    {
        foreach (var key in SyntheticFlowLogFiles.WriteDay(_folder.Root, day, files: 48, recordsPerFile: 300, seed))
        {
            await using var reader = FlowLogFiles.Open(File.OpenRead(Path.Combine(_folder.Root, key)), key);
            while (await reader.ReadAsync() is var result && result != FlowReadResult.End)
            {
                Assert.Equal(FlowReadResult.Record, result);
                Records.Add(reader.Record.Clone());
            }
        }
        await App.IngestAsync(sourceId);
    }

    public HttpClient Client() => App.CreateClient(FlowLensApp.AdminKey);

    public IEnumerable<FlowRecord> In(DateTimeOffset from, DateTimeOffset to) => Records.Where(r => r.Start >= from && r.Start < to);

    /// <summary>A query string with from/to as ISO 8601 and the other parameters escaped.</summary>
    public static string Query(DateTimeOffset from, DateTimeOffset to, params (string Name, string Value)[] more) =>
        $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}" +
        string.Concat(more.Select(p => $"&{p.Name}={Uri.EscapeDataString(p.Value)}"));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
