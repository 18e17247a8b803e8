using System.Globalization;
using System.Text;

namespace FlowLens.Core.Filters;

/// <summary>
/// Turns a filter's syntax tree into a parameterised SQL condition on the <c>flows</c> table (alias-free column
/// names, <c>$n</c> parameters); values are never spliced into the text. A comparison — <c>!=</c> and
/// <c>not in</c> too — is false when the field has no value, and <c>not</c> negates a whole comparison, so
/// <c>dstport != 22</c> leaves NODATA rows out while <c>not dstport = 22</c> takes them in.
/// </summary>
public static class FilterSql
{
    /// <summary>The condition and its parameter values, numbered from <paramref name="firstParameter"/>.</summary>
    public static (string Sql, IReadOnlyList<object> Parameters) Build(FilterNode root, int firstParameter = 1)
    {
        var parameters = new List<object>();
        var sql = new StringBuilder();
        Write(root, sql, parameters, firstParameter);
        return (sql.ToString(), parameters);
    }

    /// <summary>The columns of <c>flows</c> the filter reads.</summary>
    public static IEnumerable<string> Columns(FilterNode node) => node switch
    {
        AndNode and => Columns(and.Left).Concat(Columns(and.Right)),
        OrNode or => Columns(or.Left).Concat(Columns(or.Right)),
        NotNode not => Columns(not.Operand),
        ComparisonNode c => c.Field.Columns,
        ContextNode c => c.Comparison.Field.Columns,
        _ => [],
    };

    /// <summary>
    /// Addresses one of which every flow the filter matches has, in one of its address fields (<c>addr = X</c>,
    /// <c>srcaddr in (X, Y)</c>, and conditions joined with them by <c>and</c>), or null when there are none such: a
    /// search then looks only in the chunks holding one of them. A network (<c>10.0.0.0/8</c>) is not an address.
    /// </summary>
    public static string[]? RequiredAddresses(FilterNode node) => node switch
    {
        AndNode and => RequiredAddresses(and.Left) ?? RequiredAddresses(and.Right),
        OrNode or => RequiredAddresses(or.Left) is { } left && RequiredAddresses(or.Right) is { } right ? [.. left.Union(right)] : null,
        ComparisonNode { Field.Kind: FilterKind.Address, Operator: FilterOperator.Equal or FilterOperator.In } c
            when c.Values.All(v => !v.IsCidr) => [.. c.Values.Select(v => v.Text!)],
        _ => null,
    };

    private static void Write(FilterNode node, StringBuilder sql, List<object> parameters, int first)
    {
        switch (node)
        {
            case AndNode and:
                sql.Append('(');
                Write(and.Left, sql, parameters, first);
                sql.Append(" and ");
                Write(and.Right, sql, parameters, first);
                sql.Append(')');
                break;
            case OrNode or:
                sql.Append('(');
                Write(or.Left, sql, parameters, first);
                sql.Append(" or ");
                Write(or.Right, sql, parameters, first);
                sql.Append(')');
                break;
            case NotNode not:
                sql.Append("(not ");
                Write(not.Operand, sql, parameters, first);
                sql.Append(')');
                break;
            case ComparisonNode { Field.Kind: FilterKind.Context } unresolved:
                throw new InvalidOperationException($"'{unresolved.Field.Name}' compares context: the API resolves it to a ContextNode before the filter becomes SQL");
            case ComparisonNode comparison:
                sql.Append(Comparison(comparison, parameters, first));
                break;
            case ContextNode context:
                sql.Append(Context(context, parameters, first));
                break;
        }
    }

    private static string Parameter(object value, List<object> parameters, int first)
    {
        parameters.Add(value);
        return "$" + (first + parameters.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A context comparison: an address inside the set's ranges (one multirange, computed once by an init plan and
    /// searched by bisection for each row), or an interface of the set: of <c>Always</c> by a hashed lookup, of
    /// <c>During</c> also checked against the flow's start. Null fields and negation as for <see cref="Comparison"/>.
    /// </summary>
    private static string Context(ContextNode node, List<object> parameters, int first)
    {
        var c = node.Comparison;
        string either;
        switch (node.Match)
        {
            case AddressSetMatch set:
                var ranges = Parameter(set.Multirange, parameters, first);
                either = string.Join(" or ", c.Field.Columns.Select(column => $"({column} <@ (select {ranges}::text::inetmultirange))"));
                break;
            case InterfaceSetMatch set:
                var always = Parameter(set.Always, parameters, first);
                var ids = Parameter(set.During.Select(d => d.InterfaceId).ToArray(), parameters, first);
                var lows = Parameter(set.During.Select(d => d.From).ToArray(), parameters, first);
                var highs = Parameter(set.During.Select(d => d.To).ToArray(), parameters, first);
                either = string.Join(" or ", c.Field.Columns.Select(column =>
                    $"({column} in (select id from flow_strings where value = any({always}::text[]))"
                    + $" or {column} in (select id from flow_strings where value = any({ids}::text[]))"
                    + $" and exists (select 1 from unnest({ids}::text[], {lows}::timestamptz[], {highs}::timestamptz[]) d(id, lo, hi)"
                    + $" where d.id = (select value from flow_strings where id = {column}) and start >= d.lo and start < d.hi))"));
                break;
            default:
                throw new ArgumentException($"no SQL for {node.Match.GetType().Name}", nameof(node));
        }
        var negative = c.Operator is FilterOperator.NotEqual or FilterOperator.NotIn;
        return !negative ? $"coalesce({either}, false)"
            : node.Match is InterfaceSetMatch ? HasValue(c.Field, $"coalesce(not ({either}), false)")
            : $"coalesce(not ({either}), false)";
    }

    /// <summary>
    /// <c>x in (select …)</c> is false, not null, for a null <c>x</c> when the subquery finds nothing (values no flow
    /// has): a negative comparison on flow_strings ids says first that the columns have values.
    /// </summary>
    private static string HasValue(FilterField field, string condition) =>
        $"({string.Concat(field.Columns.Select(column => $"{column} is not null and "))}{condition})";

    private static string Comparison(ComparisonNode c, List<object> parameters, int first)
    {
        string Parameter(object value) => FilterSql.Parameter(value, parameters, first);

        var negative = c.Operator is FilterOperator.NotEqual or FilterOperator.NotIn;
        string OnColumn(string column) => c.Field.Kind switch
        {
            FilterKind.Address => string.Join(" or ", c.Values.Select(v => $"{column} {(v.IsCidr ? "<<=" : "=")} {Parameter(v.Text!)}::inet")),
            FilterKind.Text => c.Values.Count == 1
                ? $"{column} in (select id from flow_strings where value = {Parameter(c.Values[0].Text!)})"
                : $"{column} in (select id from flow_strings where value = any({Parameter(c.Values.Select(v => v.Text!).ToArray())}))",
            _ => c.Operator switch
            {
                FilterOperator.Less => $"{column} < {Parameter(c.Values[0].Number!.Value)}",
                FilterOperator.LessOrEqual => $"{column} <= {Parameter(c.Values[0].Number!.Value)}",
                FilterOperator.Greater => $"{column} > {Parameter(c.Values[0].Number!.Value)}",
                FilterOperator.GreaterOrEqual => $"{column} >= {Parameter(c.Values[0].Number!.Value)}",
                _ when c.Values.Count == 1 => $"{column} = {Parameter(c.Values[0].Number!.Value)}",
                _ => $"{column} = any({Parameter(c.Values.Select(v => v.Number!.Value).ToArray())})",
            },
        };

        // addr and port read two columns: the flow matches when either does (for != and not in: when neither does).
        // A value no flow has is not in flow_strings: "in", not "= (select …)", so that != and not in hold for the others.
        var either = string.Join(" or ", c.Field.Columns.Select(column => $"({OnColumn(column)})"));
        return !negative ? $"coalesce({either}, false)"
            : c.Field.Kind == FilterKind.Text ? HasValue(c.Field, $"coalesce(not ({either}), false)")
            : $"coalesce(not ({either}), false)";
    }
}
