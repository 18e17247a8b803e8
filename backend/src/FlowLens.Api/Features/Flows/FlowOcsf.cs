using System.Globalization;
using System.Text.Json.Nodes;
using FlowLens.Api.Features.Context;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Lookups;
using FlowLens.Core.Ocsf;

namespace FlowLens.Api.Features.Flows;

/// <summary>
/// A flow record as an OCSF Network Activity event (class 4001, schema <see cref="OcsfEvent.Version"/>), for SIEMs.
/// Every field with an OCSF home goes there, the rest under <c>unmapped</c> by its AWS name; docs/ocsf.md has the table.
/// </summary>
public static class FlowOcsf
{
    public const int ClassUid = 4001;

    /// <summary>The fields without an OCSF home, kept in <c>unmapped</c> with <c>_</c> for <c>-</c> (<c>reject_reason</c>).</summary>
    private static readonly FlowField[] Unmapped =
    [
        FlowField.SublocationType, FlowField.SublocationId, FlowField.RejectReason,
        FlowField.EcsClusterArn, FlowField.EcsClusterName, FlowField.EcsContainerInstanceArn, FlowField.EcsContainerInstanceId,
        FlowField.EcsContainerId, FlowField.EcsSecondContainerId, FlowField.EcsServiceName, FlowField.EcsTaskDefinitionArn,
        FlowField.EcsTaskArn, FlowField.EcsTaskId,
        // Transit Gateway flow logs' own fields.
        FlowField.ResourceType, FlowField.TgwId, FlowField.TgwAttachmentId, FlowField.TgwSrcVpcAccountId, FlowField.TgwDstVpcAccountId, FlowField.TgwSrcVpcId, FlowField.TgwDstVpcId,
        FlowField.TgwSrcSubnetId, FlowField.TgwDstSubnetId, FlowField.TgwSrcEni, FlowField.TgwDstEni, FlowField.TgwSrcAzId, FlowField.TgwDstAzId, FlowField.TgwPairAttachmentId,
        FlowField.PacketsLostNoRoute, FlowField.PacketsLostBlackhole, FlowField.PacketsLostMtuExceeded, FlowField.PacketsLostTtlExpired,
    ];

    /// <summary>The interface's fields, which go on the endpoint on its side (or to <c>unmapped</c> when the side is unknown).</summary>
    private static readonly (FlowField Field, string Ocsf)[] InterfaceFields =
    [
        (FlowField.InterfaceId, "interface_uid"), (FlowField.InstanceId, "instance_uid"), (FlowField.VpcId, "vpc_uid"), (FlowField.SubnetId, "subnet_uid"),
    ];

    private static readonly Dictionary<FlowField, string> Names = FlowFields.All.ToDictionary(f => f.Field, f => f.Name.Replace('-', '_'));

    public static JsonObject Event(StoredFlow flow, FlowContext context)
    {
        var r = flow.Record;
        // NODATA and SKIPDATA records report an interval, not traffic: activity Other, named by the log status.
        var (activityId, activity) = r.LogStatus is LogStatus.NoData or LogStatus.SkipData ? (99, FlowLogText.Value(r, FlowField.LogStatus)) : (6, "Traffic");
        var e = OcsfEvent.Create(ClassUid, "Network Activity", 4, "Network Activity", activityId, activity, activityId == 99 ? "Other" : null);
        if (r.Start is { } start)
        {
            e["time"] = OcsfEvent.Time(start);
            e["start_time"] = OcsfEvent.Time(start);
        }
        if (r.End is { } end)
        {
            e["end_time"] = OcsfEvent.Time(end);
        }
        e["severity_id"] = 1;
        e["severity"] = OcsfEvent.Severity(1);
        e["message"] = Message(r);

        // security_control profile: the action as OCSF normalises it.
        var (actionId, action, dispositionId, disposition) = r.Action switch
        {
            FlowAction.Accept => (1, "Allowed", 1, "Allowed"),
            FlowAction.Reject => (2, "Denied", 2, "Blocked"),
            _ => (0, "Unknown", 0, "Unknown"),
        };
        e["action_id"] = actionId;
        e["action"] = action;
        e["disposition_id"] = dispositionId;
        e["disposition"] = disposition;

        if (r.LogStatus is { } logStatus)
        {
            e["status_code"] = FlowLogText.Value(r, FlowField.LogStatus);
            var failed = logStatus == LogStatus.SkipData;
            e["status_id"] = failed ? 2 : 1;
            e["status"] = failed ? "Failure" : "Success";
            if (logStatus != LogStatus.Ok)
            {
                e["status_detail"] = failed
                    ? "Some flow records were skipped during the aggregation interval."
                    : "No traffic to or from the interface during the aggregation interval.";
            }
        }

        var unmapped = new JsonObject();
        var src = Endpoint(r.SrcAddr, r.PktSrcAddr, r.SrcPort, r.PktSrcAwsService, context.Src);
        var dst = Endpoint(r.DstAddr, r.PktDstAddr, r.DstPort, r.PktDstAwsService, context.Dst);
        // The interface that logged the flow is the destination of ingress traffic and the source of egress; without
        // flow-direction (format v2), the side whose address the inventory places on that interface.
        var side = r.FlowDirection switch
        {
            FlowDirection.Ingress => dst,
            FlowDirection.Egress => src,
            _ when r.InterfaceId is { } eni && context.Src?.Resource?.InterfaceId == eni => src,
            _ when r.InterfaceId is { } eni && context.Dst?.Resource?.InterfaceId == eni => dst,
            _ => null,
        };
        foreach (var (field, name) in InterfaceFields)
        {
            if (r.Get(field) is string value)
            {
                (side ?? unmapped)[side is null ? Names[field] : name] = value;
            }
        }
        if (src.Count > 0)
        {
            e["src_endpoint"] = src;
        }
        if (dst.Count > 0)
        {
            e["dst_endpoint"] = dst;
        }

        var connection = new JsonObject
        {
            ["direction_id"] = r.FlowDirection switch { FlowDirection.Ingress => 1, FlowDirection.Egress => 2, _ => 0 },
            ["direction"] = r.FlowDirection switch { FlowDirection.Ingress => "Inbound", FlowDirection.Egress => "Outbound", _ => "Unknown" },
        };
        if (r.Protocol is { } protocol)
        {
            connection["protocol_num"] = protocol;
            connection["protocol_name"] = Protocols.Name(protocol).ToLowerInvariant();
        }
        if (r.Type is { } type)
        {
            var (versionId, versionName) = type switch
            {
                TrafficType.IPv4 => (4, "Internet Protocol version 4 (IPv4)"),
                TrafficType.IPv6 => (6, "Internet Protocol version 6 (IPv6)"),
                _ => (99, FlowLogText.Value(r, FlowField.Type)),
            };
            connection["protocol_ver_id"] = versionId;
            connection["protocol_ver"] = versionName;
        }
        if (r.TcpFlags is { } flags)
        {
            connection["tcp_flags"] = (int)flags;
        }
        if (r.TrafficPath is { } path)
        {
            // AWS's paths 1 to 8 are OCSF's cloud boundaries 4 to 11, in the same order; a path added later is Other.
            var known = path is >= 1 and <= 8;
            connection["boundary_id"] = known ? path + 3 : 99;
            connection["boundary"] = known ? Boundaries[path - 1] : TrafficPaths.Label(path);
        }
        e["connection_info"] = connection;

        if (r.Bytes is not null || r.Packets is not null)
        {
            var traffic = new JsonObject();
            if (r.Bytes is { } bytes)
            {
                traffic["bytes"] = bytes;
            }
            if (r.Packets is { } packets)
            {
                traffic["packets"] = packets;
            }
            e["traffic"] = traffic;
        }

        var cloud = new JsonObject { ["provider"] = "AWS" };
        if (r.AccountId is { } account)
        {
            cloud["account"] = new JsonObject { ["uid"] = account };
        }
        if (r.Region is { } region)
        {
            cloud["region"] = region;
        }
        if (r.AzId is { } zone)
        {
            cloud["zone"] = zone;
        }
        e["cloud"] = cloud;

        var observables = new JsonArray();
        foreach (var (name, endpoint) in new[] { ("src_endpoint.ip", src), ("dst_endpoint.ip", dst) })
        {
            if (endpoint["ip"]?.GetValue<string>() is { } ip)
            {
                observables.Add(OcsfEvent.Observable(name, ip));
            }
        }
        if (observables.Count > 0)
        {
            e["observables"] = observables;
        }

        var metadata = OcsfEvent.Metadata($"{flow.ObjectId}:{flow.Line}");
        metadata["profiles"] = new JsonArray("cloud", "security_control");
        metadata["log_provider"] = "Amazon VPC Flow Logs";
        if (r.Version is { } version)
        {
            metadata["log_version"] = version.ToString(CultureInfo.InvariantCulture);
        }
        if (r.Start is not null)
        {
            metadata["original_time"] = FlowLogText.Value(r, FlowField.Start);
        }
        e["metadata"] = metadata;

        foreach (var field in Unmapped)
        {
            if (r.Get(field) is string value)
            {
                unmapped[Names[field]] = value;
            }
        }
        Context(unmapped, "src", context.Src);
        Context(unmapped, "dst", context.Dst);
        if (context.Interface is { } eniContext)
        {
            unmapped["instance_name"] = eniContext.ResourceName;
            if (eniContext.SecurityGroups.Count > 0)
            {
                unmapped["security_groups"] = new JsonArray([.. eniContext.SecurityGroups.Select(g => (JsonNode?)g.Id)]);
            }
        }
        unmapped["source_id"] = flow.SourceId;
        unmapped["object_id"] = flow.ObjectId;
        unmapped["line"] = flow.Line;
        if (flow.Extras is { Count: > 0 } extras)
        {
            unmapped["extras"] = new JsonObject(extras.Select(x => KeyValuePair.Create(x.Key, (JsonNode?)x.Value)));
        }
        RemoveNulls(unmapped);
        e["unmapped"] = unmapped;
        return e;
    }

    /// <summary>OCSF's <c>boundary</c> captions for AWS's traffic paths 1 to 8 (boundary_id 4 to 11).</summary>
    private static readonly string[] Boundaries =
        ["Same VPC", "Internet/VPC Gateway", "Virtual Private Gateway", "Intra-region VPC", "Inter-region VPC", "Local Gateway", "Gateway VPC", "Internet Gateway"];

    /// <summary>
    /// One side: the packet's own address where it differs from the interface's (behind a NAT gateway), that one then
    /// an intermediate IP, as OCSF's AWS mapping does; what FlowLens knows of the address when it is the endpoint's.
    /// </summary>
    private static JsonObject Endpoint(FlowAddress? address, FlowAddress? packet, int? port, string? service, AddressInfo? known)
    {
        var endpoint = new JsonObject();
        if (packet is { } original && address is { } seen && original != seen)
        {
            endpoint["ip"] = original.ToString();
            endpoint["intermediate_ips"] = new JsonArray(seen.ToString());
        }
        else if ((address ?? packet) is { } ip)
        {
            endpoint["ip"] = ip.ToString();
            if (known is not null)
            {
                if (known.Resource?.ResourceName is { } name)
                {
                    endpoint["name"] = name;
                }
                if (known.Country is { } country)
                {
                    endpoint["location"] = new JsonObject { ["country"] = country };
                }
                if (known.Asn is { } asn)
                {
                    endpoint["autonomous_system"] = new JsonObject { ["number"] = asn, ["name"] = known.AsOrganization };
                    RemoveNulls(endpoint["autonomous_system"]!.AsObject());
                }
            }
        }
        if (port is { } p)
        {
            endpoint["port"] = p;
        }
        if (service is not null)
        {
            endpoint["svc_name"] = service;
        }
        return endpoint;
    }

    /// <summary>What FlowLens knows of an address and OCSF has no place for, under the CSV export's column names.</summary>
    private static void Context(JsonObject unmapped, string side, AddressInfo? known)
    {
        if (known is null)
        {
            return;
        }
        unmapped[$"{side}_network"] = known.Network?.Name;
        unmapped[$"{side}_aws_service"] = known.Aws?.Service;
        unmapped[$"{side}_resource_id"] = known.Resource is { } resource ? resource.ResourceId ?? resource.InterfaceId : null;
    }

    private static string Message(FlowRecord r)
    {
        if (r.SrcAddr is null)
        {
            return $"{FlowLogText.Value(r, FlowField.LogStatus)} on {r.InterfaceId ?? "-"}";
        }
        var protocol = r.Protocol is { } number ? Protocols.Name(number) : "-";
        return $"{FlowLogText.Value(r, FlowField.Action)} {protocol} {r.SrcAddr}:{FlowLogText.Value(r, FlowField.SrcPort)} -> {r.DstAddr}:{FlowLogText.Value(r, FlowField.DstPort)}";
    }

    private static void RemoveNulls(JsonObject o)
    {
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            o.Remove(key);
        }
    }
}
