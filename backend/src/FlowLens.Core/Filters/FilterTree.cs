namespace FlowLens.Core.Filters;

/// <summary>Walks and rewrites a filter's syntax tree.</summary>
public static class FilterTree
{
    /// <summary>Every comparison of the tree, left to right.</summary>
    public static IEnumerable<ComparisonNode> Comparisons(FilterNode node) => node switch
    {
        AndNode and => Comparisons(and.Left).Concat(Comparisons(and.Right)),
        OrNode or => Comparisons(or.Left).Concat(Comparisons(or.Right)),
        NotNode not => Comparisons(not.Operand),
        ComparisonNode c => [c],
        _ => [],
    };

    /// <summary>The tree with each comparison replaced by what <paramref name="replace"/> makes of it.</summary>
    public static FilterNode Replace(FilterNode node, Func<ComparisonNode, FilterNode> replace) => node switch
    {
        AndNode and => new AndNode(Replace(and.Left, replace), Replace(and.Right, replace)),
        OrNode or => new OrNode(Replace(or.Left, replace), Replace(or.Right, replace)),
        NotNode not => not with { Operand = Replace(not.Operand, replace) },
        ComparisonNode c => replace(c),
        _ => node,
    };
}
