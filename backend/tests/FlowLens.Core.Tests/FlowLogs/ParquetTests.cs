using FlowLens.Core.FlowLogs;
using Parquet;
using Parquet.Schema;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>Parquet files built here with Parquet.Net in AWS's layout (Athena's column names and types).</summary>
public sealed class ParquetTests
{
    private static readonly string[] Lines =
    [
        "5 123456789010 eni-1 10.0.0.1 52.95.1.1 49152 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-1 S3 egress 8",
        "5 123456789010 eni-2 2001:db8::1 2001:db8::2 0 0 58 1 64 1700000000 1700000060 REJECT OK vpc-1 - ingress -",
        "5 123456789010 eni-3 - - - - - - - 1700000000 1700000060 - NODATA vpc-1 - - -",
    ];

    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id pkt-dst-aws-service flow-direction traffic-path";

    [Fact]
    public async Task Parquet_ReadsToTheSameRecordsAsText_AcrossRowGroups()
    {
        var file = await WriteAsync([Lines[..2], Lines[2..]]);
        var fromParquet = await ReadAllAsync(new ParquetFlowLogReader(file));
        var fromText = await ReadTextAsync(Header + "\n" + string.Join('\n', Lines));

        Assert.Null(fromParquet.ObjectError);
        Assert.Empty(fromParquet.LineErrors);
        Assert.Equal(3, fromParquet.Records.Count);
        for (var i = 0; i < 3; i++)
        {
            foreach (var field in FlowFields.All)
            {
                Assert.Equal(AwsValue(fromText.Records[i], field.Field), AwsValue(fromParquet.Records[i], field.Field));
            }
        }
        Assert.Equal(LogStatus.NoData, fromParquet.Records[2].LogStatus);
        Assert.Equal((byte)8, fromParquet.Records[0].TrafficPath);
    }

    [Fact]
    public async Task BadValueInARow_IsARowError_AndTheOtherRowsAreRead()
    {
        var bad = Lines[0].Replace("10.0.0.1", "10.0.0.999");
        var outcome = await ReadAllAsync(new ParquetFlowLogReader(await WriteAsync([[Lines[0], bad, Lines[1]]])));
        Assert.Equal(2, outcome.Records.Count);
        var error = Assert.Single(outcome.LineErrors);
        Assert.Equal(2, error.Line);
        Assert.Equal("srcaddr", error.Field);
        Assert.Equal("'10.0.0.999' is not an IPv4 or IPv6 address", error.Reason);
    }

    [Fact]
    public async Task UnknownColumn_IsKeptAsText()
    {
        var schema = new ParquetSchema(new DataField<int?>("version"), new DataField<string>("future_field"));
        var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: TestContext.Current.CancellationToken))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(schema.DataFields[0], new int?[] { 9 });
            await group.WriteAsync(schema.DataFields[1], ["hello"]);
        }
        stream.Position = 0;
        var outcome = await ReadAllAsync(new ParquetFlowLogReader(stream));
        Assert.Equal(["unknown field 'future-field' is kept as text"], outcome.Warnings);
        Assert.Equal(9, Assert.Single(outcome.Records).Version);
        Assert.Equal("hello", outcome.Records[0].Extras[0]);
    }

    [Fact]
    public async Task NotParquet_OrDamaged_IsAnObjectError()
    {
        var text = await ReadAllAsync(new ParquetFlowLogReader(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Header + "\n" + Lines[0]))));
        Assert.NotNull(text.ObjectError);

        var bytes = (await WriteAsync([Lines])).ToArray();
        var truncated = await ReadAllAsync(new ParquetFlowLogReader(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.NotNull(truncated.ObjectError);
        Assert.Empty(truncated.Records);

        var empty = await ReadAllAsync(new ParquetFlowLogReader(new MemoryStream()));
        Assert.NotNull(empty.ObjectError);
    }

    /// <summary>Writes lines of <see cref="Header"/>'s format as Parquet, one row group per batch.</summary>
    internal static async Task<MemoryStream> WriteAsync(string[][] rowGroups)
    {
        var fields = Header.Split(' ').Select(name => name.Replace('-', '_')).Select(name => name switch
        {
            "version" or "srcport" or "dstport" or "traffic_path" => (DataField)new DataField<int?>(name),
            "protocol" or "packets" or "bytes" or "start" or "end" => new DataField<long?>(name),
            _ => new DataField<string>(name),
        }).ToArray();
        var schema = new ParquetSchema(fields);
        var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var lines in rowGroups)
            {
                var cells = lines.Select(l => l.Split(' ')).ToArray();
                using var group = writer.CreateRowGroup();
                for (var c = 0; c < fields.Length; c++)
                {
                    var column = cells.Select(row => row[c] == "-" ? null : row[c]).ToArray();
                    if (fields[c].ClrType == typeof(int))
                    {
                        await group.WriteAsync<int>(fields[c], column.Select(v => v is null ? (int?)null : int.Parse(v)).ToArray());
                    }
                    else if (fields[c].ClrType == typeof(long))
                    {
                        await group.WriteAsync<long>(fields[c], column.Select(v => v is null ? (long?)null : long.Parse(v)).ToArray());
                    }
                    else
                    {
                        await group.WriteAsync(fields[c], column);
                    }
                }
            }
        }
        stream.Position = 0;
        return stream;
    }
}
