using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.FlowLogs;

public sealed class FlowColumnsTests
{
    [Fact]
    public void All_HasEveryColumnOnce_InEnumOrder()
    {
        Assert.Equal(Enum.GetValues<FlowColumn>(), FlowColumns.All.Select(c => c.Column));
    }

    [Fact]
    public void All_StoresEveryAwsField_InAColumnNamedLikeParquet()
    {
        var stored = FlowColumns.All.Where(c => c.Field is not null).ToList();

        Assert.Equal(FlowFields.All.Select(f => f.Field).Order(), stored.Select(c => c.Field!.Value).Order());
        Assert.All(stored, c => Assert.Equal(FlowFields.Info(c.Field!.Value).ParquetName, c.Name));
    }

    [Fact]
    public void FilterFields_ReadOnlyFlowsColumns()
    {
        Assert.All(FilterFields.All.SelectMany(f => f.Columns), column => Assert.Contains(column, FlowColumns.All.Select(c => c.Name)));
    }

    [Fact]
    public void List_QuotesTheKeywordEnd()
    {
        Assert.Contains(", start, \"end\", ", FlowColumns.List);
    }
}
