using System.Collections.Concurrent;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The dictionary of repeated text values (account, ENI, VPC ids...): flow rows hold an integer instead.
/// New values are committed at once on a connection of their own, so a rolled-back object cannot leave a
/// row pointing at a value that does not exist.
/// </summary>
public sealed class FlowStrings(NpgsqlDataSource dataSource)
{
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _values = new();

    public int IdOf(string value) => _ids.TryGetValue(value, out var id) ? id : _ids.GetOrAdd(value, Insert);

    /// <summary>The text of an id read from a flow row (ids are never deleted, so it exists).</summary>
    public string ValueOf(int id) => _values.TryGetValue(id, out var value) ? value : _values.GetOrAdd(id, Select);

    private string Select(int id)
    {
        using var command = dataSource.CreateCommand("select value from flow_strings where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return command.ExecuteScalar() as string ?? throw new InvalidOperationException($"flow_strings has no id {id}");
    }

    private int Insert(string value)
    {
        const string sql = """
            with inserted as (insert into flow_strings (value) values ($1) on conflict (value) do nothing returning id)
            select id from inserted union all select id from flow_strings where value = $1 limit 1
            """;
        for (var attempt = 0; ; attempt++)
        {
            using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            // Empty only when another node inserted the value after this statement's snapshot: look again.
            if (command.ExecuteScalar() is int id)
            {
                return id;
            }
            if (attempt == 2)
            {
                throw new InvalidOperationException($"could not find or add '{value}' in flow_strings");
            }
        }
    }
}
