using System.Globalization;
using System.Runtime.InteropServices;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;

namespace FlowLens.Core.Detections;

/// <summary>
/// A threshold rule's part (<see cref="Detectors.ThresholdParts"/>) as ingestion sums it: its filter compiled (<see cref="FilterEvaluator"/>, context resolved), its
/// group field, its metric, and <see cref="Least"/>, the smallest group a slice lists. <see cref="Stamp"/> names what
/// was summed (filter, group field, metric): a window is judged from the digests only where every slice has the
/// rule's current stamp.
/// </summary>
public sealed record DigestRule(long Id, short Part, long Stamp, Func<FlowRecord, bool> Matches, FilterField Group, string Metric, long Least)
{
    /// <summary>
    /// The smallest measure a slice lists for a rule of <paramref name="threshold"/> over windows of
    /// <paramref name="window"/>: a group must exceed the threshold to fire, so a slice may leave out groups under a
    /// share of it; their floor bounds them. The share (a 16th of the threshold per 5 minutes of window) lets 16
    /// batches a slice (objects delivered for the same minutes) leave groups out before the floors of a window could add
    /// up to the threshold, and leaves few groups near it undecided (each slice that left one out adds a 16th at most).
    /// </summary>
    public static long LeastFor(long threshold, TimeSpan window) =>
        Math.Max(1, (threshold + 1) / (16 * Math.Max(1, window.Ticks / Rollups.TotalsBucket.Ticks)));
}

/// <summary>One group of a rule in one slice of one batch: its key (as <see cref="DetectionSql"/> writes it), value, flows, first and last start, distinct members.</summary>
public sealed record RuleGroup(string Key, long Value, int Records, DateTime First, DateTime Last, int[] Ports, FlowAddress[] Hosts);

/// <summary>One rule's part of one batch's 5-minute slice: the slice's records, the floor (the largest measure of a group left out), the groups listed.</summary>
public sealed record RuleSlice(DateTime Slice, DigestRule Rule, long Records, long Floor, IReadOnlyList<RuleGroup> Groups);

/// <summary>
/// What the threshold rules need of a batch's records, summed while ingestion streams them (docs/detections.md,
/// "Digests"): per 5-minute slice and rule, each group's metric exactly; <see cref="Slices"/> lists the <c>k</c>
/// largest groups of at least <see cref="DigestRule.Least"/> and bounds the rest by a floor, as
/// <see cref="DetectionDigest"/> does for the built-in detectors.
/// </summary>
public sealed class RuleDigest(IReadOnlyList<DigestRule> rules)
{
    private readonly Dictionary<long, SliceState> _slices = [];
    private readonly Reader[] _readers = [.. rules.Select(r => new Reader(r))];

    public IReadOnlyList<DigestRule> Rules => rules;

    public void Add(FlowRecord r)
    {
        if (rules.Count == 0 || r.Start is not { } start)
        {
            return;
        }
        var ticks = Rollups.BucketOf(start, Rollups.TotalsBucket).Ticks;
        ref var slice = ref CollectionsMarshal.GetValueRefOrAddDefault(_slices, ticks, out _);
        slice ??= new SliceState(rules.Count);
        slice.Records++;
        for (var i = 0; i < _readers.Length; i++)
        {
            var reader = _readers[i];
            if (!reader.Rule.Matches(r) || reader.Key(r) is not { } key)
            {
                continue;
            }
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(slice.Groups[i], key, out var exists);
            if (!exists)
            {
                group = new GroupState { First = start.UtcTicks, Last = start.UtcTicks };
            }
            group!.Records++;
            group.First = Math.Min(group.First, start.UtcTicks);
            group.Last = Math.Max(group.Last, start.UtcTicks);
            switch (reader.Rule.Metric)
            {
                case "records": group.Value++; break;
                case "flows": group.Value += r.LogStatus == LogStatus.Ok ? 1 : 0; break;
                case "bytes": group.Value += r.Bytes ?? 0; break;
                case "packets": group.Value += r.Packets ?? 0; break;
                case "distinct-dstport":
                    if (r.DstPort is { } port)
                    {
                        (group.Ports ??= []).Add(port);
                    }
                    break;
                case "distinct-dstaddr":
                    if (r.DstAddr is { } host)
                    {
                        (group.Hosts ??= []).Add(host);
                    }
                    break;
            }
        }
    }

    /// <summary>Each slice and rule, the groups bounded to the <paramref name="k"/> largest of at least the rule's least.</summary>
    public IEnumerable<RuleSlice> Slices(int k) => _slices.OrderBy(s => s.Key).SelectMany(s => _readers.Select((reader, i) =>
    {
        // Most groups are far under the least: measured on the sums, they are never made into groups to rank.
        var least = reader.Rule.Least;
        var floor = 0L;
        var candidates = new List<(GroupKey Key, GroupState State, long Measure)>();
        foreach (var (key, state) in s.Value.Groups[i])
        {
            var measure = state.Measure;
            if (measure >= least)
            {
                candidates.Add((key, state, measure));
            }
            else
            {
                floor = Math.Max(floor, measure);
            }
        }
        var ranked = candidates.OrderByDescending(c => c.Measure).ThenByDescending(c => c.State.Records).ToList();
        if (ranked.Count > k)
        {
            floor = Math.Max(floor, ranked[k].Measure);
        }
        var groups = ranked.Take(k).Select(c => new RuleGroup(reader.Text(c.Key), c.State.Value, c.State.Records, new DateTime(c.State.First, DateTimeKind.Utc),
            new DateTime(c.State.Last, DateTimeKind.Utc), [.. (c.State.Ports ?? []).Order()], [.. (c.State.Hosts ?? []).Order(DetectionDigest.AddressOrder)])).ToList();
        return new RuleSlice(new DateTime(s.Key, DateTimeKind.Utc), reader.Rule, s.Value.Records, floor, groups);
    }));

    public void Clear() => _slices.Clear();

    /// <summary>A group field's value of a record: an address, a number or a text.</summary>
    private readonly record struct GroupKey(FlowAddress Address, long Number, string? Text);

    /// <summary>Reads a rule's group field off a record, and writes it as the filter language (and <see cref="DetectionSql"/>) does.</summary>
    private sealed class Reader
    {
        private readonly FlowColumn _column;
        private readonly FilterKind _kind;
        private readonly Dictionary<long, string> _words = [];

        public Reader(DigestRule rule)
        {
            Rule = rule;
            if (rule.Group.Columns.Count != 1 || FilterEvaluator.ColumnOf(rule.Group.Columns[0]) is not { } column)
            {
                throw new ArgumentException($"'{rule.Group.Name}' is not a field to group by", nameof(rule));
            }
            (_column, _kind) = (column, rule.Group.Kind);
            foreach (var (word, code) in rule.Group.Codes)
            {
                _words.TryAdd(code, word);
            }
        }

        public DigestRule Rule { get; }

        public GroupKey? Key(FlowRecord r) => _kind switch
        {
            FilterKind.Address => FilterEvaluator.Address(r, _column) is { } a ? new GroupKey(a, 0, null) : null,
            FilterKind.Text => FlowColumns.Text(_column, r) is { } t ? new GroupKey(default, 0, t) : null,
            _ => FilterEvaluator.Number(r, _column) is { } n && (_kind != FilterKind.Enum || _words.ContainsKey(n)) ? new GroupKey(default, n, null) : null,
        };

        public string Text(GroupKey key) => _kind switch
        {
            FilterKind.Address => key.Address.ToString(),
            FilterKind.Text => key.Text!,
            FilterKind.Enum => _words[key.Number],
            _ => key.Number.ToString(CultureInfo.InvariantCulture),
        };
    }

    private sealed class GroupState
    {
        /// <summary>What ranks the group and bounds the ones left out: its distinct members when the metric counts them, else its value.</summary>
        public long Measure => Ports?.Count ?? Hosts?.Count ?? Value;

        public long Value;
        public int Records;
        public long First;
        public long Last;
        public HashSet<int>? Ports;
        public HashSet<FlowAddress>? Hosts;
    }

    private sealed class SliceState(int rules)
    {
        public long Records;
        public readonly Dictionary<GroupKey, GroupState>[] Groups = [.. Enumerable.Range(0, rules).Select(_ => new Dictionary<GroupKey, GroupState>())];
    }
}
