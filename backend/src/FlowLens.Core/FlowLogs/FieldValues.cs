using System.Text;

namespace FlowLens.Core.FlowLogs;

/// <summary>Turns one field's text into its typed value on a record; <c>-</c> is null for every field.</summary>
internal static class FieldValues
{
    public static bool TrySet(FlowRecord record, FlowFieldInfo info, ReadOnlySpan<byte> text, StringPool strings, out string reason)
    {
        reason = "";
        var dash = FlowLineParser.IsDash(text);
        switch (info.Kind)
        {
            case FlowFieldKind.Text:
                string? value = null;
                if (!dash && !strings.TryGet(text, out value, out reason))
                {
                    return false;
                }
                SetText(record, info.Field, value);
                return true;
            case FlowFieldKind.Integer or FlowFieldKind.Timestamp or FlowFieldKind.TcpFlags or FlowFieldKind.TrafficPath:
                long? number = null;
                if (!dash)
                {
                    if (!TryParseDigits(text, out var n))
                    {
                        reason = $"'{Show(text)}' is not a whole number";
                        return false;
                    }
                    number = n;
                }
                return TrySetNumber(record, info, number, out reason);
            case FlowFieldKind.Address:
                FlowAddress? address = null;
                if (!dash)
                {
                    if (!FlowAddress.TryParse(text, out var a))
                    {
                        reason = $"'{Show(text)}' is not an IPv4 or IPv6 address";
                        return false;
                    }
                    address = a;
                }
                SetAddress(record, info.Field, address);
                return true;
            case FlowFieldKind.Action:
                record.Action = dash ? null
                    : Ascii.EqualsIgnoreCase(text, "ACCEPT"u8) ? FlowAction.Accept
                    : Ascii.EqualsIgnoreCase(text, "REJECT"u8) ? FlowAction.Reject
                    : null;
                return dash || record.Action is not null || Fail(text, "ACCEPT or REJECT", out reason);
            case FlowFieldKind.LogStatus:
                record.LogStatus = dash ? null
                    : Ascii.EqualsIgnoreCase(text, "OK"u8) ? LogStatus.Ok
                    : Ascii.EqualsIgnoreCase(text, "NODATA"u8) ? LogStatus.NoData
                    : Ascii.EqualsIgnoreCase(text, "SKIPDATA"u8) ? LogStatus.SkipData
                    : null;
                return dash || record.LogStatus is not null || Fail(text, "OK, NODATA or SKIPDATA", out reason);
            case FlowFieldKind.TrafficType:
                record.Type = dash ? null
                    : Ascii.EqualsIgnoreCase(text, "IPv4"u8) ? TrafficType.IPv4
                    : Ascii.EqualsIgnoreCase(text, "IPv6"u8) ? TrafficType.IPv6
                    : Ascii.EqualsIgnoreCase(text, "EFA"u8) ? TrafficType.EFA
                    : null;
                return dash || record.Type is not null || Fail(text, "IPv4, IPv6 or EFA", out reason);
            case FlowFieldKind.FlowDirection:
                record.FlowDirection = dash ? null
                    : Ascii.EqualsIgnoreCase(text, "ingress"u8) ? FlowDirection.Ingress
                    : Ascii.EqualsIgnoreCase(text, "egress"u8) ? FlowDirection.Egress
                    : null;
                return dash || record.FlowDirection is not null || Fail(text, "ingress or egress", out reason);
            default:
                throw new ArgumentOutOfRangeException(nameof(info), info.Kind, null);
        }
    }

    /// <summary>Sets a numeric field (from text or from a typed Parquet column), checking its range.</summary>
    public static bool TrySetNumber(FlowRecord record, FlowFieldInfo info, long? value, out string reason)
    {
        reason = "";
        var (min, max) = Range(info.Field);
        if (value is { } v && (v < min || v > max))
        {
            reason = $"{v} is outside {min} to {max}";
            return false;
        }
        switch (info.Field)
        {
            case FlowField.Version: record.Version = (int?)value; break;
            case FlowField.SrcPort: record.SrcPort = (int?)value; break;
            case FlowField.DstPort: record.DstPort = (int?)value; break;
            case FlowField.Protocol: record.Protocol = (int?)value; break;
            case FlowField.Packets: record.Packets = value; break;
            case FlowField.Bytes: record.Bytes = value; break;
            case FlowField.Start: record.Start = value is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null; break;
            case FlowField.End: record.End = value is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null; break;
            case FlowField.TcpFlags: record.TcpFlags = (TcpFlags?)(byte?)value; break;
            case FlowField.TrafficPath: record.TrafficPath = (byte?)value; break;
            case FlowField.PacketsLostNoRoute: record.PacketsLostNoRoute = value; break;
            case FlowField.PacketsLostBlackhole: record.PacketsLostBlackhole = value; break;
            case FlowField.PacketsLostMtuExceeded: record.PacketsLostMtuExceeded = value; break;
            case FlowField.PacketsLostTtlExpired: record.PacketsLostTtlExpired = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(info), info.Field, null);
        }
        return true;
    }

    private static (long Min, long Max) Range(FlowField field) => field switch
    {
        FlowField.Version => (1, 255),
        FlowField.SrcPort or FlowField.DstPort => (0, 65535),
        FlowField.Protocol => (0, 255),
        // Year 1970 to 9999: what DateTimeOffset holds.
        FlowField.Start or FlowField.End => (0, 253402300799),
        FlowField.TcpFlags => (0, 255),
        FlowField.TrafficPath => (1, 255),
        _ => (0, long.MaxValue),
    };

    public static void SetText(FlowRecord record, FlowField field, string? value)
    {
        switch (field)
        {
            case FlowField.AccountId: record.AccountId = value; break;
            case FlowField.InterfaceId: record.InterfaceId = value; break;
            case FlowField.VpcId: record.VpcId = value; break;
            case FlowField.SubnetId: record.SubnetId = value; break;
            case FlowField.InstanceId: record.InstanceId = value; break;
            case FlowField.Region: record.Region = value; break;
            case FlowField.AzId: record.AzId = value; break;
            case FlowField.SublocationType: record.SublocationType = value; break;
            case FlowField.SublocationId: record.SublocationId = value; break;
            case FlowField.PktSrcAwsService: record.PktSrcAwsService = value; break;
            case FlowField.PktDstAwsService: record.PktDstAwsService = value; break;
            case FlowField.EcsClusterArn: record.EcsClusterArn = value; break;
            case FlowField.EcsClusterName: record.EcsClusterName = value; break;
            case FlowField.EcsContainerInstanceArn: record.EcsContainerInstanceArn = value; break;
            case FlowField.EcsContainerInstanceId: record.EcsContainerInstanceId = value; break;
            case FlowField.EcsContainerId: record.EcsContainerId = value; break;
            case FlowField.EcsSecondContainerId: record.EcsSecondContainerId = value; break;
            case FlowField.EcsServiceName: record.EcsServiceName = value; break;
            case FlowField.EcsTaskDefinitionArn: record.EcsTaskDefinitionArn = value; break;
            case FlowField.EcsTaskArn: record.EcsTaskArn = value; break;
            case FlowField.EcsTaskId: record.EcsTaskId = value; break;
            case FlowField.RejectReason: record.RejectReason = value; break;
            case FlowField.ResourceType: record.ResourceType = value; break;
            case FlowField.TgwId: record.TgwId = value; break;
            case FlowField.TgwAttachmentId: record.TgwAttachmentId = value; break;
            case FlowField.TgwSrcVpcAccountId: record.TgwSrcVpcAccountId = value; break;
            case FlowField.TgwDstVpcAccountId: record.TgwDstVpcAccountId = value; break;
            case FlowField.TgwSrcVpcId: record.TgwSrcVpcId = value; break;
            case FlowField.TgwDstVpcId: record.TgwDstVpcId = value; break;
            case FlowField.TgwSrcSubnetId: record.TgwSrcSubnetId = value; break;
            case FlowField.TgwDstSubnetId: record.TgwDstSubnetId = value; break;
            case FlowField.TgwSrcEni: record.TgwSrcEni = value; break;
            case FlowField.TgwDstEni: record.TgwDstEni = value; break;
            case FlowField.TgwSrcAzId: record.TgwSrcAzId = value; break;
            case FlowField.TgwDstAzId: record.TgwDstAzId = value; break;
            case FlowField.TgwPairAttachmentId: record.TgwPairAttachmentId = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, null);
        }
    }

    private static void SetAddress(FlowRecord record, FlowField field, FlowAddress? value)
    {
        switch (field)
        {
            case FlowField.SrcAddr: record.SrcAddr = value; break;
            case FlowField.DstAddr: record.DstAddr = value; break;
            case FlowField.PktSrcAddr: record.PktSrcAddr = value; break;
            case FlowField.PktDstAddr: record.PktDstAddr = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, null);
        }
    }

    /// <summary>Unsigned decimal digits only, up to 18 of them (no sign, no spaces: AWS writes none).</summary>
    private static bool TryParseDigits(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 18)
        {
            return false;
        }
        foreach (var c in text)
        {
            var digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }
            value = value * 10 + digit;
        }
        return true;
    }

    private static bool Fail(ReadOnlySpan<byte> text, string expected, out string reason)
    {
        reason = $"'{Show(text)}' is not {expected}";
        return false;
    }

    private static string Show(ReadOnlySpan<byte> text) => FlowLogError.Printable(Encoding.UTF8.GetString(text[..Math.Min(text.Length, 60)]));
}
