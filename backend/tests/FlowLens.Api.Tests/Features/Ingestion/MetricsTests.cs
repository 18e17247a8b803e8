using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>/metrics from a real FlowLens process: what ingestion did, its lag, and the platform's own figures.</summary>
[Slow]
public sealed class MetricsTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task Metrics_CountWhatIngestionStored_PerSource_AndAreForAdminsOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        _folder.WriteDay(files: 3, recordsPerFile: 500, seed: 51);
        _folder.WriteGzip("bad/broken.log.gz", "version srcaddr\n2 10.0.0.1\n");
        File.WriteAllBytes(Path.Combine(_folder.Root, "bad/broken.log.gz"), File.ReadAllBytes(Path.Combine(_folder.Root, "bad/broken.log.gz"))[..20]);
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await FlowLensProcess.StartAsync(database, _folder.Root);
        var id = await node.CreateDirectorySourceAsync(_folder.Root);
        await node.CreateClient().PostAsync($"/api/sources/{id}/sync", null, ct);
        await node.WaitUntilIdleAsync(id, expectedObjects: 3);

        using var admin = node.CreateClient();
        var text = await admin.GetStringAsync("/metrics", ct);
        double Value(string series) => double.Parse(
            Regex.Match(text, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no {series} in\n{text}"),
            CultureInfo.InvariantCulture);
        Assert.Equal(1500, Value($"flowlens_records_ingested_total{{source=\"{id}\"}}"));
        Assert.Equal(3, Value($"flowlens_objects_total{{source=\"{id}\",outcome=\"ingested\"}}"));
        Assert.Equal(1, Value($"flowlens_objects_total{{source=\"{id}\",outcome=\"failed\"}}"));
        Assert.InRange(Value($"flowlens_ingestion_lag_seconds{{source=\"{id}\"}}"), 0, 3 * 86400);
        Assert.Contains("flowlens_job_duration_seconds_count{job=\"ingest-object\",outcome=\"succeeded\"}", text);
        Assert.Contains("http_request_duration_seconds_count{code=\"202\",method=\"POST\",controller=\"\",action=\"\",endpoint=\"/api/sources/{id:long}/sync\"}", text);
        Assert.Contains("npgsql_db_client_connection_count", text);

        using var viewer = new HttpClient { BaseAddress = new Uri(node.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/metrics", ct)).StatusCode);
    }

    public void Dispose() => _folder.Dispose();
}
