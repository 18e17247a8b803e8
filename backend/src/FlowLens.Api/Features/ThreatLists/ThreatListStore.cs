using System.Collections.Concurrent;
using System.Net;
using System.Text;
using FlowLens.Core.Context;
using FlowLens.Core.ThreatLists;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.ThreatLists;

/// <summary>A threat list as the API shows it (its entries are not listed: they can be hundreds of thousands).</summary>
/// <param name="Name">1 to 64 of <c>A-Z a-z 0-9 . _ -</c>; what filters name (<c>threat-list = spamhaus-drop</c>).</param>
/// <param name="Origin"><c>url</c> (fetched on a schedule) or <c>upload</c> (an admin sends the text).</param>
/// <param name="Schedule">Cron (UTC) of this list's refresh; null: <c>FlowLens:ThreatLists:Schedule</c> (daily).</param>
/// <param name="Enabled">A disabled list matches nothing and is not fetched.</param>
/// <param name="EntryCount">Distinct addresses and blocks held (host bits cleared).</param>
/// <param name="RejectedLines">Lines of the last text stored that were not an address or block (skipped).</param>
/// <param name="RejectedSamples">The first few of them: line number, text and why.</param>
/// <param name="LastRefreshAt">When the entries were last replaced (upload or fetch).</param>
/// <param name="LastAttemptAt">When a fetch or upload was last tried, successful or not.</param>
/// <param name="LastError">Why the last attempt failed (the entries before it stay); null after a success.</param>
public sealed record ThreatListResponse(long Id, string Name, string? Description, string Origin, string? Url, string? Schedule, bool Enabled,
    int EntryCount, int Ipv4Count, int Ipv6Count, int RejectedLines, IReadOnlyList<string> RejectedSamples,
    DateTimeOffset? LastRefreshAt, DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A threat list that holds an address.</summary>
/// <param name="Name">The list's name, as filters name it (<c>threat-list = spamhaus-drop</c>).</param>
/// <param name="Entry">The list's entry holding the address: the address itself (<c>203.0.113.9/32</c>) or its block (<c>203.0.113.0/24</c>), the most specific one.</param>
public sealed record ThreatListHit(long Id, string Name, string Entry);

/// <summary>
/// The lists' entries in PostgreSQL and, on each node, the address ranges of the lists asked about, cached by the
/// list's <c>version</c> (which every change of its entries bumps): a query reads one small row per list to know
/// the cache is current, and loads only a list that changed.
/// </summary>
public sealed class ThreatListStore(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<ThreatListStore> log)
{
    public const string OriginUrl = "url", OriginUpload = "upload";

    internal const string Columns = """
        id, name, description, origin, url, schedule, enabled, entry_count, ipv4_count, ipv6_count, rejected_lines,
        rejected_samples, last_refresh_at, last_attempt_at, last_error, created_at, updated_at
        """;

    private readonly ConcurrentDictionary<long, (long Version, List<AddressRange> Ranges)> _ranges = new();

    /// <summary>
    /// The addresses of the enabled lists named (exactly, any case) as sorted, disjoint ranges: for detectors that
    /// test addresses against lists. A name that is no list adds nothing.
    /// </summary>
    public Task<List<AddressRange>> RangesAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var wanted = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return RangesWhereAsync(wanted.Contains, ct);
    }

    /// <summary>The addresses of the enabled lists whose name <paramref name="keep"/> accepts (filters: globs), as sorted, disjoint ranges.</summary>
    public async Task<List<AddressRange>> RangesWhereAsync(Func<string, bool> keep, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var lists = await EnabledAsync(connection, keep, ct);
        return lists.Count == 1 ? [.. lists[0].Ranges] : AddressRanges.Merge(lists.SelectMany(l => l.Ranges));
    }

    /// <summary>
    /// For each address, in order, the enabled lists that hold it, by name, each with its entry that does (the most
    /// specific). The cached ranges say which lists hold an address; only those are searched for the entry.
    /// </summary>
    public async Task<List<ThreatListHit>[]> HitsAsync(IReadOnlyList<IPAddress> addresses, CancellationToken ct)
    {
        var hits = addresses.Select(_ => new List<ThreatListHit>()).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var lists = await EnabledAsync(connection, _ => true, ct);
        var held = new List<(int Index, long ListId, string Name, IPAddress Address)>();
        for (var i = 0; i < addresses.Count; i++)
        {
            held.AddRange(lists.Where(l => AddressRanges.Holds(l.Ranges, addresses[i])).Select(l => (i, l.Id, l.Name, addresses[i])));
        }
        if (held.Count == 0)
        {
            return hits;
        }
        // A list's entries have no index but their list's: each pair scans one list, and only lists that hold the address.
        await using var command = new NpgsqlCommand("""
            select (select e.cidr::text from threat_list_entries e where e.list_id = p.list_id and e.cidr >>= p.address
                    order by masklen(e.cidr) desc limit 1)
            from unnest($1::bigint[], $2::inet[]) with ordinality p(list_id, address, n) order by p.n
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = held.Select(h => h.ListId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = held.Select(h => h.Address.IsIPv4MappedToIPv6 ? h.Address.MapToIPv4() : h.Address).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        foreach (var (index, listId, name, _) in held)
        {
            await reader.ReadAsync(ct);
            // Null only when the list changed since its ranges were read: it no longer holds the address.
            if (!reader.IsDBNull(0))
            {
                hits[index].Add(new ThreatListHit(listId, name, reader.GetString(0)));
            }
        }
        foreach (var list in hits)
        {
            list.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase));
        }
        return hits;
    }

    /// <summary>The enabled lists <paramref name="keep"/> accepts by name, with their ranges (from the cache when current).</summary>
    private async Task<List<(long Id, string Name, List<AddressRange> Ranges)>> EnabledAsync(NpgsqlConnection connection, Func<string, bool> keep, CancellationToken ct)
    {
        var lists = new List<(long Id, string Name, long Version)>();
        await using (var command = new NpgsqlCommand("select id, name, version from threat_lists where enabled", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (keep(reader.GetString(1)))
                {
                    lists.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
                }
            }
        }
        var result = new List<(long, string, List<AddressRange>)>(lists.Count);
        foreach (var (id, name, version) in lists)
        {
            if (!_ranges.TryGetValue(id, out var cached) || cached.Version != version)
            {
                cached = await LoadAsync(connection, id, ct);
                _ranges[id] = cached;
            }
            result.Add((id, name, cached.Ranges));
        }
        return result;
    }

    private async Task<(long Version, List<AddressRange> Ranges)> LoadAsync(NpgsqlConnection connection, long id, CancellationToken ct)
    {
        // The version read with the entries, in one snapshot: a replace committed in between is seen whole or not at all.
        await using var command = new NpgsqlCommand("""
            select (select version from threat_lists where id = $1), array(select cidr::text from threat_list_entries where list_id = $1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var version = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
        var networks = new List<IPNetwork>();
        foreach (var text in reader.GetFieldValue<string[]>(1))
        {
            if (Cidr.TryParse(text, clearHostBits: true, out var network, out _))
            {
                networks.Add(network);
            }
        }
        var ranges = ThreatListParser.Ranges(networks);
        log.LogDebug("Loaded threat list {Id} version {Version}: {Entries} entries, {Ranges} ranges", id, version, networks.Count, ranges.Count);
        return (version, ranges);
    }

    /// <summary>Forgets a deleted list's ranges.</summary>
    public void Forget(long id) => _ranges.TryRemove(id, out _);

    public async Task<ThreatListResponse?> GetAsync(long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from threat_lists where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Replaces a list's entries with a parsed text (one whose <see cref="ThreatListParse.Error"/> is null); null when there is no such list.</summary>
    public async Task<ThreatListResponse?> ReplaceEntriesAsync(long id, ThreatListParse parse, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockRow = new NpgsqlCommand("select 1 from threat_lists where id = $1 for update", connection, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await lockRow.ExecuteScalarAsync(ct) is null)
            {
                return null;
            }
        }
        await using (var delete = new NpgsqlCommand("delete from threat_list_entries where list_id = $1", connection, transaction))
        {
            delete.Parameters.Add(new NpgsqlParameter { Value = id });
            await delete.ExecuteNonQueryAsync(ct);
        }
        await using (var replace = new NpgsqlCommand("insert into threat_list_entries (list_id, cidr) select $1, e::cidr from unnest($2::text[]) e", connection, transaction))
        {
            replace.Parameters.Add(new NpgsqlParameter { Value = id });
            replace.Parameters.Add(new NpgsqlParameter { Value = parse.Entries.Select(e => e.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await replace.ExecuteNonQueryAsync(ct);
        }
        ThreatListResponse list;
        await using (var update = new NpgsqlCommand($"""
            update threat_lists set version = version + 1, entry_count = $2, ipv4_count = $3, ipv6_count = $4, rejected_lines = $5,
                rejected_samples = $6, last_refresh_at = $7, last_attempt_at = $7, last_error = null
            where id = $1 returning {Columns}
            """, connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = id });
            update.Parameters.Add(new NpgsqlParameter { Value = parse.Entries.Count });
            update.Parameters.Add(new NpgsqlParameter { Value = parse.Ipv4 });
            update.Parameters.Add(new NpgsqlParameter { Value = parse.Ipv6 });
            update.Parameters.Add(new NpgsqlParameter { Value = parse.Rejected });
            update.Parameters.Add(new NpgsqlParameter { Value = parse.Samples.Select(Sample).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            await using var reader = await update.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            list = Read(reader);
        }
        await transaction.CommitAsync(ct);
        return list;
    }

    /// <summary>Records a failed fetch or upload; the entries stay. Null when there is no such list.</summary>
    public async Task<ThreatListResponse?> RecordFailureAsync(long id, string error, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"update threat_lists set last_attempt_at = $2, last_error = $3 where id = $1 returning {Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = error });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static string Sample(RejectedLine line) => $"line {line.Line}: {line.Text} ({line.Reason})";

    /// <summary>
    /// Reads a text body of at most <paramref name="maxBytes"/> as UTF-8; null when it is longer (it is not read
    /// further, so a huge body costs no memory).
    /// </summary>
    public static async Task<string?> ReadTextAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal static ThreatListResponse Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5), r.GetBoolean(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10),
        r.GetFieldValue<string[]>(11), r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12),
        r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13), r.IsDBNull(14) ? null : r.GetString(14),
        r.GetFieldValue<DateTimeOffset>(15), r.GetFieldValue<DateTimeOffset>(16));
}
