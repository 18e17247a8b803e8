using System.Net;
using FlowLens.Core.FlowLogs;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>Each field's text, one line at a time, through a one-field format.</summary>
public sealed class FieldParsingTests
{
    public static TheoryData<string, string, object?> ValidValues => new()
    {
        { "version", "2", 2L },
        { "version", "8", 8L },
        { "account-id", "123456789010", "123456789010" },
        { "account-id", "unknown", "unknown" },
        { "interface-id", "eni-1235b8ca123456789", "eni-1235b8ca123456789" },
        { "srcaddr", "10.0.1.5", "10.0.1.5" },
        { "srcaddr", "0.0.0.0", "0.0.0.0" },
        { "dstaddr", "255.255.255.255", "255.255.255.255" },
        { "dstaddr", "2001:db8:1234:a100:8d6e:3477:df66:f105", "2001:db8:1234:a100:8d6e:3477:df66:f105" },
        { "pkt-srcaddr", "fe80::1", "fe80::1" },
        { "pkt-dstaddr", "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
        { "srcport", "0", 0L },
        { "srcport", "65535", 65535L },
        { "dstport", "443", 443L },
        { "protocol", "6", 6L },
        { "protocol", "255", 255L },
        { "packets", "9223372036854", 9223372036854L },
        { "bytes", "0", 0L },
        { "start", "1418530010", "2014-12-14T04:06:50Z" },
        { "end", "0", "1970-01-01T00:00:00Z" },
        { "action", "ACCEPT", "ACCEPT" },
        { "action", "reject", "REJECT" },
        { "log-status", "OK", "OK" },
        { "log-status", "NODATA", "NODATA" },
        { "log-status", "SKIPDATA", "SKIPDATA" },
        { "vpc-id", "vpc-abcdefab012345678", "vpc-abcdefab012345678" },
        { "subnet-id", "subnet-aaaaaaaa012345678", "subnet-aaaaaaaa012345678" },
        { "instance-id", "i-01234567890123456", "i-01234567890123456" },
        { "tcp-flags", "18", 18L },
        { "tcp-flags", "0", 0L },
        { "type", "IPv4", "IPv4" },
        { "type", "IPv6", "IPv6" },
        { "type", "EFA", "EFA" },
        { "region", "eu-west-1", "eu-west-1" },
        { "az-id", "euw1-az2", "euw1-az2" },
        { "sublocation-type", "outpost", "outpost" },
        { "sublocation-id", "op-0123456789abcdef0", "op-0123456789abcdef0" },
        { "pkt-src-aws-service", "AMAZON", "AMAZON" },
        { "pkt-dst-aws-service", "S3", "S3" },
        { "flow-direction", "ingress", "ingress" },
        { "flow-direction", "egress", "egress" },
        { "traffic-path", "1", 1L },
        { "traffic-path", "8", 8L },
        { "ecs-cluster-arn", "arn:aws:ecs:us-east-1:123456789012:cluster/web", "arn:aws:ecs:us-east-1:123456789012:cluster/web" },
        { "ecs-cluster-name", "web", "web" },
        { "ecs-container-instance-arn", "arn:aws:ecs:us-east-1:123456789012:container-instance/web/abc", "arn:aws:ecs:us-east-1:123456789012:container-instance/web/abc" },
        { "ecs-container-instance-id", "abc", "abc" },
        { "ecs-container-id", "3b4f2d1c", "3b4f2d1c" },
        { "ecs-second-container-id", "9e8d7c6b", "9e8d7c6b" },
        { "ecs-service-name", "checkout", "checkout" },
        { "ecs-task-definition-arn", "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:3", "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:3" },
        { "ecs-task-arn", "arn:aws:ecs:us-east-1:123456789012:task/web/0a1b", "arn:aws:ecs:us-east-1:123456789012:task/web/0a1b" },
        { "ecs-task-id", "0a1b", "0a1b" },
        { "reject-reason", "BPA", "BPA" },
        { "resource-type", "TransitGateway", "TransitGateway" },
        { "tgw-id", "tgw-0a12bc34de56f7890", "tgw-0a12bc34de56f7890" },
        { "tgw-attachment-id", "tgw-attach-0789ijkl", "tgw-attach-0789ijkl" },
        { "tgw-src-vpc-account-id", "123456789012", "123456789012" },
        { "tgw-dst-vpc-account-id", "210987654321", "210987654321" },
        { "tgw-src-vpc-id", "vpc-0abc1234", "vpc-0abc1234" },
        { "tgw-dst-vpc-id", "vpc-0def5678", "vpc-0def5678" },
        { "tgw-src-subnet-id", "subnet-0abc12345def67890", "subnet-0abc12345def67890" },
        { "tgw-dst-subnet-id", "subnet-0def12345abc67890", "subnet-0def12345abc67890" },
        { "tgw-src-eni", "eni-0cc3dd4ee5f66aa7b", "eni-0cc3dd4ee5f66aa7b" },
        { "tgw-dst-eni", "eni-0aa1bb2cc3dd4ee5f", "eni-0aa1bb2cc3dd4ee5f" },
        { "tgw-src-az-id", "use1-az1", "use1-az1" },
        { "tgw-dst-az-id", "use1-az2", "use1-az2" },
        { "tgw-pair-attachment-id", "tgw-attach-0456efgh", "tgw-attach-0456efgh" },
        { "packets-lost-no-route", "1", 1L },
        { "packets-lost-blackhole", "22", 22L },
        { "packets-lost-mtu-exceeded", "333", 333L },
        { "packets-lost-ttl-expired", "9223372036854775", 9223372036854775L },
    };

    [Theory]
    [MemberData(nameof(ValidValues))]
    public async Task Field_ParsesItsValue(string field, string text, object? expected)
    {
        var outcome = await ReadTextAsync(text + "\n", FlowLogFormat.Parse($"${{{field}}}"));
        Assert.Empty(outcome.LineErrors);
        FlowFields.TryFind(field, out var info);
        Assert.Equal(expected, AwsValue(Assert.Single(outcome.Records), info.Field));
    }

    [Fact]
    public async Task EveryField_IsCovered_AndDashIsNullForEachOfThem()
    {
        var covered = ValidValues.Select(row => (string)row.Data.Item1).ToHashSet();
        Assert.All(FlowFields.All, f => Assert.Contains(f.Name, covered));

        var all = FlowLogFormat.Parse(string.Join(' ', FlowFields.All.Select(f => f.Name)));
        var outcome = await ReadTextAsync(string.Join(' ', FlowFields.All.Select(_ => "-")) + "\n", all);
        var record = Assert.Single(outcome.Records);
        Assert.All(FlowFields.All, f => Assert.Null(record.Get(f.Field)));
    }

    [Theory]
    [InlineData("srcport", "abc", "'abc' is not a whole number")]
    [InlineData("srcport", "70000", "70000 is outside 0 to 65535")]
    [InlineData("dstport", "-1", "'-1' is not a whole number")]
    [InlineData("protocol", "256", "256 is outside 0 to 255")]
    [InlineData("packets", "1.5", "'1.5' is not a whole number")]
    [InlineData("bytes", "99999999999999999999", "'99999999999999999999' is not a whole number")]
    [InlineData("start", "1418530010x", "'1418530010x' is not a whole number")]
    [InlineData("srcaddr", "10.0.0.256", "'10.0.0.256' is not an IPv4 or IPv6 address")]
    [InlineData("srcaddr", "10.0.0", "'10.0.0' is not an IPv4 or IPv6 address")]
    [InlineData("dstaddr", "2001:db8::1::2", "'2001:db8::1::2' is not an IPv4 or IPv6 address")]
    [InlineData("dstaddr", "eni-123", "'eni-123' is not an IPv4 or IPv6 address")]
    [InlineData("action", "MAYBE", "'MAYBE' is not ACCEPT or REJECT")]
    [InlineData("log-status", "FINE", "'FINE' is not OK, NODATA or SKIPDATA")]
    [InlineData("type", "IPv5", "'IPv5' is not IPv4, IPv6 or EFA")]
    [InlineData("flow-direction", "sideways", "'sideways' is not ingress or egress")]
    [InlineData("traffic-path", "0", "0 is outside 1 to 255")]
    [InlineData("tcp-flags", "300", "300 is outside 0 to 255")]
    public async Task Field_RejectsABadValue_WithLineColumnAndReason(string field, string text, string reason)
    {
        var format = FlowLogFormat.Parse($"interface-id {field} instance-id");
        var outcome = await ReadTextAsync($"eni-1 {text} i-1\neni-1 {text} i-1\n", format);
        Assert.Empty(outcome.Records);
        Assert.Equal(2, outcome.LineErrors.Count);
        var error = outcome.LineErrors[1];
        Assert.Equal(2, error.Line);
        Assert.Equal(7, error.Column);
        Assert.Equal(field, error.Field);
        Assert.Equal(reason, error.Reason);
        Assert.Equal($"eni-1 {text} i-1", error.Text);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("2001:db8::8a2e:370:7334")]
    [InlineData("2001:0db8:0000:0000:0000:ff00:0042:8329")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("64:ff9b::192.0.2.33")]
    [InlineData("FE80::ABCD")]
    public void Address_MatchesDotNetsParser(string text)
    {
        Assert.True(FlowAddress.TryParse(text, out var address));
        var reference = IPAddress.Parse(text);
        Assert.Equal(reference, address.ToIPAddress());
        Assert.Equal(reference.ToString(), address.ToString());
        Assert.Equal(address, FlowAddress.FromIPAddress(reference));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.")]
    [InlineData("01234.1.1.1")]
    [InlineData(":::")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("12345::")]
    [InlineData("1::2::3")]
    [InlineData("1:")]
    [InlineData("::ffff:1.2.3.256")]
    [InlineData("g::1")]
    public void Address_RejectsMalformedText(string text) => Assert.False(FlowAddress.TryParse(text, out _));
}
