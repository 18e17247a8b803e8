using System.Text.RegularExpressions;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// The fields of a flow log and their order: from an S3 file's header line (<c>version account-id ...</c>) or
/// from the flow log's format string (<c>${version} ${account-id} ...</c>), which CloudWatch Logs needs.
/// </summary>
public sealed partial class FlowLogFormat
{
    /// <summary>The default format (version 2): what a flow log without a custom format writes.</summary>
    public static readonly FlowLogFormat Default = Parse(
        "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}");

    /// <summary>
    /// A Transit Gateway flow log's default format: every field of versions 2 to 6 that Transit Gateway flow logs have,
    /// in AWS's table order (it cannot be changed; a custom format picks from the same fields).
    /// </summary>
    public static readonly FlowLogFormat TransitGatewayDefault = Parse(
        "${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} " +
        "${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} " +
        "${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} " +
        "${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${tcp-flags} ${region} " +
        "${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}");

    private FlowLogFormat(IReadOnlyList<string> names)
    {
        Names = names;
        var columns = new FlowFieldInfo?[names.Count];
        var extras = new List<string>();
        var warnings = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            if (FlowFields.TryFind(names[i], out var info))
            {
                columns[i] = info;
            }
            else
            {
                extras.Add(names[i]);
                warnings.Add($"unknown field '{names[i]}' is kept as text");
            }
        }
        Columns = columns;
        ExtraNames = extras;
        Warnings = warnings;
    }

    /// <summary>The field names in order, as written.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Per position, the known field, or null for a field this version does not know (kept in Extras).</summary>
    public IReadOnlyList<FlowFieldInfo?> Columns { get; }

    /// <summary>Names of the unknown fields, in the order their values appear in <see cref="FlowRecord.Extras"/>.</summary>
    public IReadOnlyList<string> ExtraNames { get; }

    public IReadOnlyList<string> Warnings { get; }

    public bool Has(FlowField field) => Columns.Any(c => c?.Field == field);

    /// <summary>The AWS format string, <c>${version} ${account-id} ...</c>.</summary>
    public override string ToString() => string.Join(' ', Names.Select(n => "${" + n + "}"));

    /// <summary>Reads a header line or a format string.</summary>
    public static bool TryParse(string text, out FlowLogFormat format, out string error)
    {
        format = Default;
        var tokens = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length == 0)
        {
            error = "the format names no fields";
            return false;
        }
        var names = new List<string>(tokens.Length);
        foreach (var token in tokens)
        {
            var name = token.StartsWith("${", StringComparison.Ordinal) && token.EndsWith('}') ? token[2..^1] : token;
            if (!NameShape().IsMatch(name))
            {
                error = $"'{token}' is not a field name";
                return false;
            }
            if (names.Contains(name))
            {
                error = $"the field '{name}' appears twice";
                return false;
            }
            names.Add(name);
        }
        format = new FlowLogFormat(names);
        error = "";
        return true;
    }

    public static FlowLogFormat Parse(string text) =>
        TryParse(text, out var format, out var error) ? format : throw new FormatException(error);

    /// <summary>
    /// Whether a line of a text file is a header rather than a record: its first word is a known field name and
    /// every word is shaped like one, starting with a lower-case letter (records always hold a number, a dash or
    /// an upper-case word somewhere).
    /// </summary>
    internal static bool LooksLikeHeader(ReadOnlySpan<byte> line)
    {
        var trimmed = line.TrimStart(" \t"u8);
        if (trimmed.IsEmpty || trimmed[0] is < (byte)'a' or > (byte)'z')
        {
            return false;
        }
        var first = true;
        foreach (var range in line.SplitAny(" \t"u8))
        {
            var word = line[range];
            if (word.IsEmpty)
            {
                continue;
            }
            foreach (var c in word)
            {
                if (!(c is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_'))
                {
                    return false;
                }
            }
            if (word[0] is < (byte)'a' or > (byte)'z')
            {
                return false;
            }
            if (first)
            {
                if (!FlowFields.IsName(word))
                {
                    return false;
                }
                first = false;
            }
        }
        return !first;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex NameShape();
}
