using System.Globalization;

namespace FlowLens.Core.FlowLogs;

/// <summary>Writes records back as AWS writes them: the same text a flow log line or header carries.</summary>
public static class FlowLogText
{
    /// <summary>A field's value as AWS's text (<c>ACCEPT</c>, <c>1418530010</c>, <c>IPv6</c>), <c>-</c> when absent.</summary>
    public static string Value(FlowRecord record, FlowField field) => record.Get(field) switch
    {
        null => "-",
        DateTimeOffset t => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        FlowAction a => a == FlowAction.Accept ? "ACCEPT" : "REJECT",
        LogStatus s => s switch { LogStatus.Ok => "OK", LogStatus.NoData => "NODATA", _ => "SKIPDATA" },
        FlowDirection d => d == FlowDirection.Ingress ? "ingress" : "egress",
        TcpFlags f => ((int)f).ToString(CultureInfo.InvariantCulture),
        IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString() ?? "-",
    };

    /// <summary>One record line in the given format.</summary>
    public static string Line(FlowRecord record, FlowLogFormat format)
    {
        var extra = 0;
        return string.Join(' ', format.Columns.Select(c => c is null ? record.Extras.ElementAtOrDefault(extra++) ?? "-" : Value(record, c.Field)));
    }

    /// <summary>The header line of an S3 text file in this format.</summary>
    public static string Header(FlowLogFormat format) => string.Join(' ', format.Names);
}
