namespace FlowLens.Core.FlowLogs;

/// <summary>
/// What one object may cost to read. The file's author chooses its sizes (a gzip bomb, a line with no newline, a
/// Parquet footer claiming a billion rows), so a reader stops at these: an object past a limit is an object error
/// (nothing of it should be stored), a line past <see cref="MaxLineLength"/> is a line error.
/// </summary>
public sealed record FlowLogLimits
{
    public static readonly FlowLogLimits Default = new();

    /// <summary>
    /// The longest text value (an id, an ARN, an unknown field) kept: AWS's longest are ARNs of a few hundred bytes,
    /// and PostgreSQL cannot index a value much over 2 KB (flow_strings.value is unique).
    /// </summary>
    public const int MaxFieldLength = 1024;

    /// <summary>Bytes of data in one object, after decompression (text) or as the Parquet footer declares them.</summary>
    public long MaxObjectBytes { get; init; } = 4L << 30;

    /// <summary>Lines (records and bad lines) or Parquet rows in one object.</summary>
    public long MaxRecordsPerObject { get; init; } = 20_000_000;

    /// <summary>Bytes in one line; a longer line is a bad line, skipped up to its newline.</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Rows in one Parquet row group: a group is read into memory whole.</summary>
    public int MaxParquetRowGroupRows { get; init; } = 1_000_000;
}
