using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The dictionary of repeated text values (account, ENI, VPC ids...): flow rows hold an integer instead.
/// New values are committed at once on a connection of their own, so a rolled-back object cannot leave a
/// row pointing at a value that does not exist.
/// </summary>
public sealed class FlowStrings(NpgsqlDataSource dataSource, IOptions<IngestionOptions> options)
{
    // Bounded: whoever writes the logs chooses how many distinct values there are.
    private readonly Cache<string, int> _ids = new(options.Value.StringCacheSize, StringComparer.Ordinal);
    private readonly Cache<int, string> _values = new(options.Value.StringCacheSize, null);

    // A value just stored is also known by its id, so reading fresh rows does not ask the database for it again.
    public int IdOf(string value) => _ids.GetOrAdd(value, v =>
    {
        var id = Insert(v);
        _values.GetOrAdd(id, _ => v);
        return id;
    });

    /// <summary>The text of an id read from a flow row (ids are never deleted, so it exists).</summary>
    public string ValueOf(int id) => _values.GetOrAdd(id, Select);

    /// <summary>Entries held: at most twice the capacity.</summary>
    internal int Cached => _ids.Count + _values.Count;

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

    /// <summary>
    /// Two generations: a hit in the older one moves forward; when the newer one is full it becomes the older one
    /// and the oldest is dropped. Values in steady use stay; memory stays under twice the capacity.
    /// </summary>
    private sealed class Cache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer) where TKey : notnull
    {
        private readonly Lock _turnover = new();
        private ConcurrentDictionary<TKey, TValue> _current = new(comparer);
        private ConcurrentDictionary<TKey, TValue> _previous = new(comparer);
        private int _added;

        public int Count => _current.Count + _previous.Count;

        public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
        {
            var current = _current;
            if (current.TryGetValue(key, out var value))
            {
                return value;
            }
            if (!_previous.TryGetValue(key, out value!))
            {
                value = create(key);
            }
            if (current.TryAdd(key, value) && Interlocked.Increment(ref _added) >= capacity)
            {
                lock (_turnover)
                {
                    if (ReferenceEquals(_current, current))
                    {
                        _previous = current;
                        _current = new ConcurrentDictionary<TKey, TValue>(comparer);
                        _added = 0;
                    }
                }
            }
            return value;
        }
    }
}
