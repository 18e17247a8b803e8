using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>The ledger of a source's object versions (<c>source_objects</c>): what was found, and what became of it.</summary>
public static class SourceLedger
{
    /// <summary>Adds the object versions the ledger does not have yet; returns how many were new.</summary>
    public static async Task<int> RecordAsync(NpgsqlDataSource dataSource, long sourceId, IReadOnlyList<StoredObject> objects, DateTimeOffset now, CancellationToken ct)
    {
        if (objects.Count == 0)
        {
            return 0;
        }
        // One statement for the whole listing; the unique (source, key, etag) makes a second lister a no-op.
        await using var command = dataSource.CreateCommand("""
            insert into source_objects (source_id, key, e_tag, size, last_modified, state, records, rejected_lines, attempts, discovered_at, sample_errors)
            select $1, o.key, o.etag, o.size, o.modified, 'pending', 0, 0, 0, $6, '[]'
            from unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) as o(key, etag, size, modified)
            on conflict (source_id, key, e_tag) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.ETag).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Size).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.LastModified.UtcDateTime).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The ledger's entries for these object versions: id and state (<c>pending</c>, <c>ingested</c>, <c>failed</c>, <c>replaced</c>).</summary>
    public static async Task<List<(long Id, string State)>> EntriesAsync(NpgsqlDataSource dataSource, long sourceId, IReadOnlyList<StoredObject> objects, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select o.id, o.state from source_objects o
            join unnest($2::text[], $3::text[]) as v(key, etag) on o.key = v.key and o.e_tag = v.etag
            where o.source_id = $1
            order by o.id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.ETag).ToArray() });
        var entries = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        return entries;
    }
}
