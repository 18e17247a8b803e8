namespace FlowLens.Core.FlowLogs;

/// <summary>Picks the reader for a flow log object by its name, as AWS names them.</summary>
public static class FlowLogFiles
{
    /// <summary>Whether FlowLens reads objects of this name: <c>.log.gz</c>, <c>.log</c>, <c>.parquet</c>.</summary>
    public static bool IsFlowLog(string name) =>
        name.EndsWith(".log.gz", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".log", StringComparison.OrdinalIgnoreCase)
        || IsParquet(name);

    public static bool IsParquet(string name) => name.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>A reader for the object's bytes; it disposes the stream. Parquet needs a seekable stream.</summary>
    public static IFlowLogReader Open(Stream stream, string name, FlowLogFormat? headerlessFormat = null, FlowLogLimits? limits = null) =>
        IsParquet(name)
            ? new ParquetFlowLogReader(stream, limits)
            : new TextFlowLogReader(stream, gzip: name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase), headerlessFormat, limits);
}
