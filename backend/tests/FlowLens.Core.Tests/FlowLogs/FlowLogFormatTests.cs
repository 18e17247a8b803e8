using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.FlowLogs;

public sealed class FlowLogFormatTests
{
    [Fact]
    public void FormatString_AndHeader_GiveTheSameFormat()
    {
        var fromString = FlowLogFormat.Parse("${version} ${vpc-id} ${srcaddr} ${traffic-path}");
        var fromHeader = FlowLogFormat.Parse("version vpc-id srcaddr traffic-path");
        Assert.Equal(fromString.Names, fromHeader.Names);
        Assert.Equal([FlowField.Version, FlowField.VpcId, FlowField.SrcAddr, FlowField.TrafficPath], fromHeader.Columns.Select(c => c!.Field));
        Assert.Equal("${version} ${vpc-id} ${srcaddr} ${traffic-path}", fromHeader.ToString());
    }

    [Fact]
    public void Default_IsTheV2Format()
    {
        Assert.Equal(
            ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status"],
            FlowLogFormat.Default.Names);
    }

    [Theory]
    [InlineData("", "the format names no fields")]
    [InlineData("version version", "the field 'version' appears twice")]
    [InlineData("${version} ${Src Addr}", "'${Src' is not a field name")]
    [InlineData("version 1abc", "'1abc' is not a field name")]
    public void BadFormat_SaysWhy(string text, string reason)
    {
        Assert.False(FlowLogFormat.TryParse(text, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("version account-id interface-id", true)]
    [InlineData("instance-id interface-id srcaddr", true)]
    [InlineData("version account-id some-new-field", true)]
    [InlineData("log_status account_id", true)]
    [InlineData("2 123456789010 eni-1235b8ca123456789", false)]
    [InlineData("- eni-1235b8ca123456789 10.0.1.5", false)]
    [InlineData("eni-1 vpc-2 subnet-3", false)]
    [InlineData("Phony unsupported log format.", false)]
    public void LooksLikeHeader_TellsHeadersFromRecords(string line, bool header) =>
        Assert.Equal(header, FlowLogFormat.LooksLikeHeader(System.Text.Encoding.ASCII.GetBytes(line)));

    [Fact]
    public void ParquetColumnNames_MapToFields() =>
        Assert.True(FlowFields.TryFind("pkt_dst_aws_service", out var info) && info.Field == FlowField.PktDstAwsService);
}
