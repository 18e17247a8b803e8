namespace FlowLens.Core.Filters;

public enum FilterOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In, NotIn }

/// <summary>A filter's syntax tree. Positions are 1-based character offsets into the filter text.</summary>
public abstract record FilterNode(int Position);

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Position);

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Position);

public sealed record NotNode(FilterNode Operand, int At) : FilterNode(At);

/// <summary>A comparison of one field with checked values (numbers as long, enum codes as int, text, or addresses).</summary>
public sealed record ComparisonNode(FilterField Field, FilterOperator Operator, IReadOnlyList<FilterValue> Values, int At) : FilterNode(At);

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
