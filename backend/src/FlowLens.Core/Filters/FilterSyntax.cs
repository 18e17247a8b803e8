namespace FlowLens.Core.Filters;

public enum FilterOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In, NotIn }

/// <summary>A filter's syntax tree. Positions are 1-based character offsets into the filter text.</summary>
public abstract record FilterNode(int Position);

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Position);

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Position);

public sealed record NotNode(FilterNode Operand, int At) : FilterNode(At);

/// <summary>A comparison of one field with checked values (numbers as long, enum codes as int, text, or addresses).</summary>
public sealed record ComparisonNode(FilterField Field, FilterOperator Operator, IReadOnlyList<FilterValue> Values, int At) : FilterNode(At);

/// <summary>
/// A comparison of a <see cref="FilterKind.Context"/> field with what its values stand for, resolved by the API from
/// its context (networks, AWS ranges, .mmdb databases, inventory) before the filter becomes SQL.
/// </summary>
public sealed record ContextNode(ComparisonNode Comparison, ContextMatch Match) : FilterNode(Comparison.At);

/// <summary>What a context comparison's values stand for.</summary>
public abstract record ContextMatch;

/// <summary>The addresses the values stand for, as sorted, disjoint ranges (an <c>inetmultirange</c> literal).</summary>
public sealed record AddressSetMatch(string Multirange, int Ranges) : ContextMatch;

/// <summary>
/// The interfaces the values stand for: <paramref name="Always"/> throughout the query's range, and the others only
/// <paramref name="During"/> some spans of it (an interface reassigned, a group changed), checked against the flow's start.
/// </summary>
public sealed record InterfaceSetMatch(string[] Always, IReadOnlyList<InterfaceSpan> During) : ContextMatch;

/// <summary>An interface id and a span [From, To) of time.</summary>
public sealed record InterfaceSpan(string InterfaceId, DateTimeOffset From, DateTimeOffset To);

/// <summary>A value as the filter means it: a number or code, a text, or an address/CIDR block (as text, normalised).</summary>
public sealed record FilterValue(long? Number, string? Text, bool IsCidr = false);

/// <summary>What is wrong with a filter, and where (1-based character position).</summary>
public sealed record FilterError(int Position, string Message)
{
    public override string ToString() => $"{Message} (at character {Position})";
}

/// <summary>How long a filter may be and how deeply parentheses and <c>not</c> may nest; the parser refuses more.</summary>
public sealed record FilterLimits(int MaxLength, int MaxDepth)
{
    public static readonly FilterLimits Default = new(2000, 32);
}
