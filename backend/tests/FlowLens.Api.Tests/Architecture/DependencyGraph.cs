namespace FlowLens.Api.Tests.Architecture;

/// <summary>Which node depends on which, with one type reference that shows each edge.</summary>
public sealed class DependencyGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    public void Add(string from, string to, string example)
    {
        if (from == to)
        {
            return;
        }
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new(StringComparer.Ordinal);
        }
        targets.TryAdd(to, example);
    }

    public IEnumerable<(string From, string To, string Example)> Edges =>
        _edges.SelectMany(e => e.Value.Select(t => (e.Key, t.Key, t.Value)));

    /// <summary>Each cycle once, as its nodes in order (the first comes back at the end), found by depth-first search.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var cycles = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>();
        foreach (var start in _edges.Keys)
        {
            // Only cycles whose smallest node is the start: every cycle is reported once.
            Walk(start, [start]);
        }
        return cycles;

        void Walk(string node, List<string> path)
        {
            foreach (var next in Targets(node))
            {
                if (next == path[0])
                {
                    var cycle = path.Append(next).ToList();
                    if (seen.Add(string.Join(" ", cycle)))
                    {
                        cycles.Add(cycle);
                    }
                }
                else if (string.CompareOrdinal(next, path[0]) > 0 && !path.Contains(next))
                {
                    Walk(next, [.. path, next]);
                }
            }
        }
    }

    /// <summary>A cycle as lines: <c>Sources -> Ingestion (Sources.SourcesApi uses Ingestion.SyncJob)</c>.</summary>
    public string Describe(IReadOnlyList<string> cycle) =>
        string.Join("\n", cycle.Zip(cycle.Skip(1)).Select(e => $"  {e.First} -> {e.Second} ({_edges[e.First][e.Second]})"));

    private IEnumerable<string> Targets(string node) =>
        _edges.TryGetValue(node, out var targets) ? targets.Keys : [];
}
