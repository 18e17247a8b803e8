using System.Globalization;
using FlowLens.Core.Context;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Filters;

/// <summary>
/// Judges flow records against a filter in memory, as they are read (detections summed at ingestion), with exactly
/// the answers <see cref="FilterSql"/> gives on the stored rows. <see cref="Compile"/> does the work once — numbers
/// sorted, addresses and context ranges merged into sorted arrays searched by bisection, texts hashed — so judging a
/// record allocates nothing. Null fields as in SQL: a comparison (<c>!=</c> and <c>not in</c> too) is false when the
/// record has no value, and <c>not</c> negates a whole comparison.
/// </summary>
public static class FilterEvaluator
{
    /// <summary>
    /// The predicate of a filter whose context comparisons are resolved (<c>ContextFilters.ResolveAsync</c> in the
    /// API: <see cref="ContextNode"/>s); null (an empty filter) matches everything.
    /// </summary>
    /// <exception cref="NotSupportedException">A node cannot be judged on a record (<see cref="WhyNot"/> says which).</exception>
    public static Func<FlowRecord, bool> Compile(FilterNode? resolved)
    {
        if (resolved is null)
        {
            return static _ => true;
        }
        if (WhyNot(resolved) is { } reason)
        {
            throw new NotSupportedException(reason);
        }
        return Build(resolved).Matches;
    }

    /// <summary>Whether <see cref="Compile"/> takes the filter.</summary>
    public static bool CanCompile(FilterNode? node) => node is null || WhyNot(node) is null;

    /// <summary>Why a node of the tree cannot be judged on a record (naming its field), or null when all can.</summary>
    public static string? WhyNot(FilterNode node) => node switch
    {
        AndNode and => WhyNot(and.Left) ?? WhyNot(and.Right),
        OrNode or => WhyNot(or.Left) ?? WhyNot(or.Right),
        NotNode not => WhyNot(not.Operand),
        ComparisonNode { Field.Kind: FilterKind.Context } c =>
            $"'{c.Field.Name}' compares context: resolve the filter (ContextFilters.ResolveAsync) before compiling it",
        ComparisonNode c => c.Field.Columns.Select(column => WhyNotColumn(c.Field, column)).FirstOrDefault(r => r is not null),
        ContextNode { Match: AddressSetMatch } c => c.Comparison.Field.Columns.Select(column => WhyNotColumn(c.Comparison.Field, column, FilterKind.Address)).FirstOrDefault(r => r is not null),
        ContextNode { Match: InterfaceSetMatch } c when c.Comparison.Field.Columns.SequenceEqual(["interface_id"]) => null,
        ContextNode c => $"'{c.Comparison.Field.Name}' is resolved to a {c.Match.GetType().Name} on {string.Join(", ", c.Comparison.Field.Columns)}, which cannot be judged on a record",
        _ => $"a {node.GetType().Name} cannot be judged on a record",
    };

    private static string? WhyNotColumn(FilterField field, string column, FilterKind? kind = null) =>
        ColumnOf(column) is { } c && Kind(c) == (kind ?? field.Kind switch
        {
            FilterKind.Protocol or FilterKind.Enum => FilterKind.Number,
            var other => other,
        })
            ? null
            : $"'{field.Name}' reads the column {column}, which is not a {kind ?? field.Kind} field of a flow record";

    internal static FlowColumn? ColumnOf(string name) =>
        FlowColumns.All.FirstOrDefault(c => c.Name == name && c.Field is not null)?.Column;

    /// <summary>How a column's value is read from a record: as a number, an address or a text.</summary>
    private static FilterKind? Kind(FlowColumn column) => column switch
    {
        FlowColumn.SrcAddr or FlowColumn.DstAddr or FlowColumn.PktSrcAddr or FlowColumn.PktDstAddr => FilterKind.Address,
        FlowColumn.Packets or FlowColumn.Bytes or FlowColumn.SrcPort or FlowColumn.DstPort or FlowColumn.Version
            or FlowColumn.Protocol or FlowColumn.Action or FlowColumn.LogStatus or FlowColumn.TcpFlags or FlowColumn.Type
            or FlowColumn.FlowDirection or FlowColumn.TrafficPath or FlowColumn.PacketsLostNoRoute or FlowColumn.PacketsLostBlackhole
            or FlowColumn.PacketsLostMtuExceeded or FlowColumn.PacketsLostTtlExpired => FilterKind.Number,
        FlowColumn.Start or FlowColumn.End => null,
        _ => FilterKind.Text,
    };

    private static Node Build(FilterNode node) => node switch
    {
        AndNode and => new And(Build(and.Left), Build(and.Right)),
        OrNode or => new Or(Build(or.Left), Build(or.Right)),
        NotNode not => new Not(Build(not.Operand)),
        ComparisonNode c => Comparison(c),
        ContextNode { Match: AddressSetMatch set } c => new AddressTest(Columns(c.Comparison.Field), Negative(c.Comparison), ParseMultirange(set.Multirange)),
        ContextNode { Match: InterfaceSetMatch set } c => new InterfaceTest(Negative(c.Comparison), set),
        _ => throw new NotSupportedException(WhyNot(node)),
    };

    private static bool Negative(ComparisonNode c) => c.Operator is FilterOperator.NotEqual or FilterOperator.NotIn;

    private static FlowColumn[] Columns(FilterField field) => [.. field.Columns.Select(name => ColumnOf(name)!.Value)];

    private static Node Comparison(ComparisonNode c)
    {
        var columns = Columns(c.Field);
        var negative = Negative(c);
        switch (c.Field.Kind)
        {
            case FilterKind.Address:
                var ranges = new List<AddressRange>();
                foreach (var value in c.Values)
                {
                    // The parser wrote the value as "address" or "address/bits"; inet's <<= keeps the first bits.
                    var text = value.Text!;
                    var slash = text.IndexOf('/', StringComparison.Ordinal);
                    var address = Parse(slash < 0 ? text : text[..slash]);
                    var bits = slash < 0 ? (address.IsIPv4 ? 32 : 128) : int.Parse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                    ranges.Add(AddressRange.Of(address.IsIPv4, ValueOf(address), bits));
                }
                return new AddressTest(columns, negative, new AddressSet(AddressRanges.Merge(ranges)));
            case FilterKind.Text:
                return new TextTest(columns, negative, [.. c.Values.Select(v => v.Text!)]);
            default:
                var first = c.Values[0].Number!.Value;
                // Bounds as [low, high]; past the ends of long, a range that holds nothing.
                return c.Operator switch
                {
                    FilterOperator.Less => first == long.MinValue ? new RangeTest(columns, 1, 0) : new RangeTest(columns, long.MinValue, first - 1),
                    FilterOperator.LessOrEqual => new RangeTest(columns, long.MinValue, first),
                    FilterOperator.Greater => first == long.MaxValue ? new RangeTest(columns, 1, 0) : new RangeTest(columns, first + 1, long.MaxValue),
                    FilterOperator.GreaterOrEqual => new RangeTest(columns, first, long.MaxValue),
                    _ => new NumberTest(columns, negative, [.. c.Values.Select(v => v.Number!.Value).Order()]),
                };
        }
    }

    private static FlowAddress Parse(string text) =>
        FlowAddress.TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IP address");

    private static UInt128 ValueOf(FlowAddress address)
    {
        var (high, low) = address.Parts;
        return new UInt128(high, low);
    }

    /// <summary>
    /// The ranges of an <c>inetmultirange</c> literal (<see cref="AddressRanges.ToMultirange"/>), read as PostgreSQL
    /// does: an IPv4-mapped IPv6 bound stays IPv6, and every IPv4 address sorts before every IPv6 one.
    /// </summary>
    internal static AddressSet ParseMultirange(string text)
    {
        var ranges = new List<AddressRange>();
        var body = text.Trim();
        if (body.Length < 2 || body[0] != '{' || body[^1] != '}')
        {
            throw new FormatException($"'{Shorten(text)}' is not an inetmultirange literal");
        }
        var at = 1;
        while (at < body.Length - 1)
        {
            var open = body.IndexOfAny(['[', '('], at);
            if (open < 0)
            {
                break;
            }
            var comma = body.IndexOf(',', open);
            var close = comma < 0 ? -1 : body.IndexOfAny([']', ')'], comma);
            if (close < 0)
            {
                throw new FormatException($"'{Shorten(text)}' is not an inetmultirange literal");
            }
            var low = Parse(body[(open + 1)..comma].Trim().Trim('"'));
            var high = Parse(body[(comma + 1)..close].Trim().Trim('"'));
            var (first, last) = (ValueOf(low), ValueOf(high));
            if (body[open] == '(')
            {
                first++;
            }
            if (body[close] == ')')
            {
                last--;
            }
            if (low.IsIPv4 == high.IsIPv4)
            {
                // An exclusive bound at the end of the numbers wrapped around: nothing is inside.
                if (first <= last && !(body[open] == '(' && first == 0) && !(body[close] == ')' && last == UInt128.MaxValue))
                {
                    ranges.Add(new AddressRange(low.IsIPv4, first, last));
                }
            }
            else if (low.IsIPv4)
            {
                // From an IPv4 address to an IPv6 one: the rest of IPv4 and the start of IPv6.
                ranges.Add(new AddressRange(true, first, uint.MaxValue));
                ranges.Add(new AddressRange(false, 0, last));
            }
            at = close + 1;
        }
        return new AddressSet(AddressRanges.Merge(ranges));
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>Sorted, disjoint address ranges of each family, searched by bisection.</summary>
    internal sealed class AddressSet
    {
        private readonly UInt128[] _v4First, _v4Last, _v6First, _v6Last;

        public AddressSet(List<AddressRange> merged)
        {
            _v4First = [.. merged.Where(r => r.IsIPv4).Select(r => r.First)];
            _v4Last = [.. merged.Where(r => r.IsIPv4).Select(r => r.Last)];
            _v6First = [.. merged.Where(r => !r.IsIPv4).Select(r => r.First)];
            _v6Last = [.. merged.Where(r => !r.IsIPv4).Select(r => r.Last)];
        }

        public bool Contains(FlowAddress address) => address.IsIPv4
            ? Contains(_v4First, _v4Last, ValueOf(address))
            : Contains(_v6First, _v6Last, ValueOf(address));

        private static bool Contains(UInt128[] firsts, UInt128[] lasts, UInt128 value)
        {
            // The last range starting at or before the value.
            int lo = 0, hi = firsts.Length - 1, found = -1;
            while (lo <= hi)
            {
                var mid = lo + ((hi - lo) >> 1);
                if (firsts[mid] <= value)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return found >= 0 && value <= lasts[found];
        }
    }

    // The compiled tree. Each comparison is two-valued, as FilterSql's coalesce makes it: on one column it holds when
    // the column has a value that matches (or, negative, does not); on two (addr, port) when either has a value that
    // matches, or, negative, when both have values and neither matches — SQL's not (a or b) with nulls.
    private abstract class Node
    {
        public abstract bool Matches(FlowRecord record);
    }

    private sealed class And(Node left, Node right) : Node
    {
        public override bool Matches(FlowRecord record) => left.Matches(record) && right.Matches(record);
    }

    private sealed class Or(Node left, Node right) : Node
    {
        public override bool Matches(FlowRecord record) => left.Matches(record) || right.Matches(record);
    }

    private sealed class Not(Node operand) : Node
    {
        public override bool Matches(FlowRecord record) => !operand.Matches(record);
    }

    /// <summary>A comparison on one or two columns; <see cref="Test"/> answers a column: null without a value.</summary>
    private abstract class ColumnTest(FlowColumn[] columns, bool negative) : Node
    {
        public sealed override bool Matches(FlowRecord record)
        {
            if (negative)
            {
                foreach (var column in columns)
                {
                    if (Test(record, column) != false)
                    {
                        return false;
                    }
                }
                return true;
            }
            foreach (var column in columns)
            {
                if (Test(record, column) == true)
                {
                    return true;
                }
            }
            return false;
        }

        protected abstract bool? Test(FlowRecord record, FlowColumn column);
    }

    private sealed class NumberTest(FlowColumn[] columns, bool negative, long[] sorted) : ColumnTest(columns, negative)
    {
        protected override bool? Test(FlowRecord record, FlowColumn column) =>
            Number(record, column) is { } value ? Array.BinarySearch(sorted, value) >= 0 : null;
    }

    /// <summary><c>&lt; &lt;= &gt; &gt;=</c> as [low, high]; never negative.</summary>
    private sealed class RangeTest(FlowColumn[] columns, long low, long high) : ColumnTest(columns, negative: false)
    {
        protected override bool? Test(FlowRecord record, FlowColumn column) =>
            Number(record, column) is { } value ? value >= low && value <= high : null;
    }

    private sealed class AddressTest(FlowColumn[] columns, bool negative, AddressSet set) : ColumnTest(columns, negative)
    {
        protected override bool? Test(FlowRecord record, FlowColumn column) =>
            Address(record, column) is { } value ? set.Contains(value) : null;
    }

    /// <summary>Text as flow_strings compares it: whole and case-sensitive (no globs: those are context's).</summary>
    private sealed class TextTest(FlowColumn[] columns, bool negative, string[] values) : ColumnTest(columns, negative)
    {
        private readonly HashSet<string> _values = new(values, StringComparer.Ordinal);

        protected override bool? Test(FlowRecord record, FlowColumn column) =>
            FlowColumns.Text(column, record) is { } value ? _values.Contains(value) : null;
    }

    /// <summary>
    /// The flow's interface among those that matched throughout the resolved range, or those that matched during
    /// spans [from, to) holding the flow's start.
    /// </summary>
    private sealed class InterfaceTest : ColumnTest
    {
        private readonly HashSet<string> _always;
        private readonly Dictionary<string, (long From, long To)[]> _during;

        public InterfaceTest(bool negative, InterfaceSetMatch set) : base([FlowColumn.InterfaceId], negative)
        {
            _always = new HashSet<string>(set.Always, StringComparer.Ordinal);
            _during = set.During.GroupBy(s => s.InterfaceId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(s => (s.From.UtcTicks, s.To.UtcTicks)).ToArray(), StringComparer.Ordinal);
        }

        protected override bool? Test(FlowRecord record, FlowColumn column)
        {
            if (record.InterfaceId is not { } id)
            {
                return null;
            }
            if (_always.Contains(id))
            {
                return true;
            }
            if (record.Start is { } start && _during.TryGetValue(id, out var spans))
            {
                var ticks = start.UtcTicks;
                foreach (var (from, to) in spans)
                {
                    if (ticks >= from && ticks < to)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    internal static long? Number(FlowRecord r, FlowColumn column) => column switch
    {
        FlowColumn.Packets => r.Packets,
        FlowColumn.Bytes => r.Bytes,
        FlowColumn.SrcPort => r.SrcPort,
        FlowColumn.DstPort => r.DstPort,
        FlowColumn.Version => r.Version,
        FlowColumn.Protocol => r.Protocol,
        FlowColumn.Action => r.Action is { } a ? (long)a : null,
        FlowColumn.LogStatus => r.LogStatus is { } s ? (long)s : null,
        FlowColumn.TcpFlags => r.TcpFlags is { } f ? (long)f : null,
        FlowColumn.Type => r.Type is { } t ? (long)t : null,
        FlowColumn.FlowDirection => r.FlowDirection is { } d ? (long)d : null,
        FlowColumn.TrafficPath => r.TrafficPath,
        FlowColumn.PacketsLostNoRoute => r.PacketsLostNoRoute,
        FlowColumn.PacketsLostBlackhole => r.PacketsLostBlackhole,
        FlowColumn.PacketsLostMtuExceeded => r.PacketsLostMtuExceeded,
        FlowColumn.PacketsLostTtlExpired => r.PacketsLostTtlExpired,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a number column"),
    };

    internal static FlowAddress? Address(FlowRecord r, FlowColumn column) => column switch
    {
        FlowColumn.SrcAddr => r.SrcAddr,
        FlowColumn.DstAddr => r.DstAddr,
        FlowColumn.PktSrcAddr => r.PktSrcAddr,
        FlowColumn.PktDstAddr => r.PktDstAddr,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not an address column"),
    };
}
