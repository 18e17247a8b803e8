using System.Net.Http.Json;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// Two days of synthetic flows (the day before yesterday and yesterday), ingested once through a directory
/// source; the records are also kept in memory, read back from the files, to compute expected answers with LINQ.
/// </summary>
public sealed class QueryData(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();

    public static readonly DateTimeOffset FirstDay = new(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero);

    public FlowLensApp App { get; private set; } = null!;

    public List<FlowRecord> Records { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var keys = SyntheticFlowLogFiles.WriteDay(_folder.Root, FirstDay, files: 48, recordsPerFile: 300, seed: 11)
            .Concat(SyntheticFlowLogFiles.WriteDay(_folder.Root, FirstDay.AddDays(1), files: 48, recordsPerFile: 300, seed: 12));
        foreach (var key in keys)
        {
            await using var reader = FlowLogFiles.Open(File.OpenRead(Path.Combine(_folder.Root, key)), key);
            while (await reader.ReadAsync() is var result && result != FlowReadResult.End)
            {
                Assert.Equal(FlowReadResult.Record, result);
                Records.Add(reader.Record.Clone());
            }
        }
        App = await postgres.StartAppAsync(_folder.Allow);
        await App.IngestAsync(await _folder.CreateSourceAsync(App));
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
