using System.Net.Sockets;
using FlowLens.Core.Context;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Context;

/// <summary>One import of ip-ranges.json, or one that failed (<see cref="Error"/>).</summary>
/// <param name="Origin"><c>url</c> (the daily refresh) or <c>upload</c> (an admin's file).</param>
/// <param name="Url">Where it was fetched from.</param>
/// <param name="SyncToken">The file's publication time, Unix seconds as AWS writes it.</param>
/// <param name="CreateDate">The file's publication time.</param>
public sealed record AwsIpRangesImportRecord(long Id, DateTimeOffset At, string Origin, string? Url, string? SyncToken, DateTimeOffset? CreateDate,
    int? Ipv4Prefixes, int? Ipv6Prefixes, string? Error);

/// <summary>Stores an ip-ranges.json in place of the last one, and keeps the record of every attempt.</summary>
public sealed class AwsIpRangesStore(NpgsqlDataSource dataSource, AddressContext context, TimeProvider clock)
{
    public const string OriginUrl = "url", OriginUpload = "upload";

    /// <summary>Attempts kept; older ones are deleted with each import, except the one in use.</summary>
    private const int KeptImports = 100;

    /// <summary>Parses <paramref name="json"/> and, when it is an ip-ranges.json, replaces the stored ranges; records either outcome.</summary>
    public async Task<AwsIpRangesImportRecord> ImportAsync(Stream json, string origin, string? url, CancellationToken ct)
    {
        var result = await AwsIpRanges.ParseAsync(json, ct);
        return result.Document is { } document
            ? await StoreAsync(document, origin, url, ct)
            : await RecordFailureAsync(origin, url, result.Error!, ct);
    }

    public async Task<AwsIpRangesImportRecord> RecordFailureAsync(string origin, string? url, string error, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await InsertRecordAsync(connection, origin, url, null, error, ct);
    }

    private async Task<AwsIpRangesImportRecord> StoreAsync(AwsIpRangesDocument document, string origin, string? url, CancellationToken ct)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            // One import at a time across nodes; readers see the old ranges until the commit.
            await using (var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('flowlens_aws_ip_ranges')); delete from aws_ip_ranges", connection, transaction))
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            await using (var insert = new NpgsqlCommand("""
                insert into aws_ip_ranges (ordinal, prefix, service, region, network_border_group)
                select ordinal, prefix::cidr, service, region, network_border_group
                from unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[]) as e(ordinal, prefix, service, region, network_border_group)
                """, connection, transaction))
            {
                var prefixes = document.Prefixes;
                insert.Parameters.Add(new NpgsqlParameter { Value = Enumerable.Range(1, prefixes.Count).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                insert.Parameters.Add(new NpgsqlParameter { Value = prefixes.Select(p => p.Prefix.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = prefixes.Select(p => p.Service).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = prefixes.Select(p => p.Region).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = prefixes.Select(p => p.NetworkBorderGroup).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await insert.ExecuteNonQueryAsync(ct);
            }
            var record = await InsertRecordAsync(connection, origin, url, document, null, ct);
            await transaction.CommitAsync(ct);
            await context.RefreshAsync(force: false, ct);
            return record;
        }
    }

    private async Task<AwsIpRangesImportRecord> InsertRecordAsync(NpgsqlConnection connection, string origin, string? url, AwsIpRangesDocument? document, string? error, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            insert into aws_ip_ranges_imports (at, origin, url, sync_token, create_date, ipv4_prefixes, ipv6_prefixes, error)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            returning {Columns}
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = origin });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)url ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)document?.SyncToken ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)document?.CreateDate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)document?.Ipv4Count ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)document?.Ipv6Count ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        AwsIpRangesImportRecord record;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            record = Read(reader);
        }
        await using var prune = new NpgsqlCommand($"""
            delete from aws_ip_ranges_imports where id <= $1 - {KeptImports}
                and id is distinct from (select max(id) from aws_ip_ranges_imports where error is null)
            """, connection);
        prune.Parameters.Add(new NpgsqlParameter { Value = record.Id });
        await prune.ExecuteNonQueryAsync(ct);
        return record;
    }

    /// <summary>The last successful import and the last attempt (the same one when it succeeded).</summary>
    public async Task<(AwsIpRangesImportRecord? Current, AwsIpRangesImportRecord? LastAttempt)> LatestAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            (select {Columns} from aws_ip_ranges_imports where error is null order by id desc limit 1)
            union all
            (select {Columns} from aws_ip_ranges_imports order by id desc limit 1)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<AwsIpRangesImportRecord>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader));
        }
        var current = rows.FirstOrDefault(r => r.Error is null);
        return (current, rows.Count > 0 ? rows[^1] : null);
    }

    private const string Columns = "id, at, origin, url, sync_token, create_date, ipv4_prefixes, ipv6_prefixes, error";

    private static AwsIpRangesImportRecord Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8));
}

/// <summary>
/// The daily refresh: fetches <see cref="EnrichmentOptions.AwsIpRangesUrl"/> (no redirects: nowhere else) and imports it.
/// A failure (no internet, an error status, not an ip-ranges.json) is logged and recorded for the status, and the
/// stored ranges stay; the job itself never fails, so Hangfire does not hammer the URL with retries.
/// </summary>
public sealed class AwsIpRangesJob(IHttpClientFactory http, AwsIpRangesStore store, IOptions<EnrichmentOptions> options, ILogger<AwsIpRangesJob> log)
{
    public const string Id = "aws-ip-ranges";
    public const string Schedule = "17 4 * * *"; // daily; AWS publishes changes a few times a week
    public const string HttpClientName = "aws-ip-ranges";

    public async Task RunAsync(CancellationToken ct)
    {
        var url = options.Value.AwsIpRangesUrl;
        AwsIpRangesImportRecord record;
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                record = await store.RecordFailureAsync(AwsIpRangesStore.OriginUrl, url, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}.", ct);
            }
            else
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                record = await store.ImportAsync(body, AwsIpRangesStore.OriginUrl, url, ct);
            }
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            record = await store.RecordFailureAsync(AwsIpRangesStore.OriginUrl, url, $"{url} could not be fetched: {e.Message}", ct);
        }
        if (record.Error is null)
        {
            log.LogInformation("AWS ip-ranges.json {SyncToken} of {CreateDate:u} imported from {Url}: {Ipv4} IPv4 and {Ipv6} IPv6 prefixes",
                record.SyncToken, record.CreateDate, url, record.Ipv4Prefixes, record.Ipv6Prefixes);
        }
        else
        {
            log.LogWarning("AWS ip-ranges.json was not refreshed; the stored ranges stay: {Error}", record.Error);
        }
    }
}
