using System.Diagnostics;
using System.Globalization;
using FlowLens.Api.Features.Auth;
using Npgsql;
using Prometheus;

namespace FlowLens.Api.Features.Metrics;

/// <summary>
/// What an operator graphs and alerts on: records and objects ingested and rejected per source, job durations and
/// failures, and ingestion lag (now minus the newest record stored, per source). Published with HTTP request
/// durations by route and the platform's own figures (Npgsql's connection pool, GC, CPU) at <c>/metrics</c>, for admins.
/// </summary>
public sealed class FlowLensMetrics
{
    private static readonly Counter Records = Prometheus.Metrics.CreateCounter("flowlens_records_ingested_total", "Flow records stored", "source");
    private static readonly Counter Rejected = Prometheus.Metrics.CreateCounter("flowlens_lines_rejected_total", "Malformed lines skipped", "source");
    private static readonly Counter Objects = Prometheus.Metrics.CreateCounter("flowlens_objects_total", "Objects finished, by outcome (ingested, failed)", "source", "outcome");
    private static readonly Histogram JobSeconds = Prometheus.Metrics.CreateHistogram("flowlens_job_duration_seconds", "Background job durations, by job and outcome",
        new HistogramConfiguration { LabelNames = ["job", "outcome"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 16) });
    private static readonly Gauge Lag = Prometheus.Metrics.CreateGauge("flowlens_ingestion_lag_seconds", "Seconds between now and the newest record stored, per source", "source");

    public FlowLensMetrics(NpgsqlDataSource dataSource) =>
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct => await UpdateLagAsync(dataSource, ct));

    /// <summary>Records stored and malformed lines skipped (an object, or a batch of CloudWatch events).</summary>
    public void Stored(long sourceId, long records, long rejected)
    {
        Records.WithLabels(Label(sourceId)).Inc(records);
        Rejected.WithLabels(Label(sourceId)).Inc(rejected);
    }

    public void Ingested(long sourceId) => Objects.WithLabels(Label(sourceId), "ingested").Inc();

    public void Failed(long sourceId) => Objects.WithLabels(Label(sourceId), "failed").Inc();

    /// <summary>Times a job: its duration is recorded with its outcome whether it ends well or throws.</summary>
    public async Task TimeAsync(string job, Func<Task> run)
    {
        var clock = Stopwatch.StartNew();
        var outcome = "failed";
        try
        {
            await run();
            outcome = "succeeded";
        }
        finally
        {
            JobSeconds.WithLabels(job, outcome).Observe(clock.Elapsed.TotalSeconds);
        }
    }

    private static string Label(long sourceId) => sourceId.ToString(CultureInfo.InvariantCulture);

    private static async Task UpdateLagAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                select source_id, extract(epoch from now() - max(newest_record_at))::float8
                from source_objects where state = 'ingested' and newest_record_at is not null group by source_id
                """);
            command.CommandTimeout = 5;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                Lag.WithLabels(Label(reader.GetInt64(0))).Set(reader.GetDouble(1));
            }
        }
        catch (Exception e) when (e is NpgsqlException or ObjectDisposedException)
        {
            // No database, no lag figure: /api/health says why.
        }
    }
}

public static class MetricsSetup
{
    public static void AddFlowLensMetrics(this WebApplicationBuilder builder) => builder.Services.AddSingleton<FlowLensMetrics>();

    /// <summary>HTTP request durations by route, for every request after this point.</summary>
    public static void UseFlowLensMetrics(this WebApplication app) => app.UseHttpMetrics();

    /// <summary><c>/metrics</c> in Prometheus's text format, for admins (a scraper sends an admin key in X-Api-Key).</summary>
    public static void MapFlowLensMetrics(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<FlowLensMetrics>(); // the lag callback is registered before the first scrape
        app.MapMetrics("/metrics").RequireAuthorization(Policies.Admin);
    }
}
