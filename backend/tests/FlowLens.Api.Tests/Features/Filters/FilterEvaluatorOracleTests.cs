using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Context;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Filters;

/// <summary>
/// A few thousand varied records (v2, v8 with every field, and a custom format lacking ports and protocol; IPv4,
/// IPv6 and IPv4-mapped addresses; NODATA, SKIPDATA and dashes), ingested once, and the same records as the
/// reader gives them to the ingestion path. Each record is known by its start: <see cref="Base"/> plus its number.
/// </summary>
public sealed class EvaluatorOracleData(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();

    public FlowLensApp? App { get; private set; }

    public static readonly long Base = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds();

    /// <summary>The records by number, as the text reader read them.</summary>
    public SortedDictionary<long, FlowRecord> Records { get; } = [];

    public static readonly string[] V4 = ["10.0.0.1", "10.0.0.2", "10.0.0.5", "10.0.1.7", "10.255.0.1", "172.16.5.5", "192.168.1.10", "203.0.113.9", "198.51.100.200", "8.8.8.8", "0.0.0.0", "255.255.255.255"];
    public static readonly string[] V6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::5", "fe80::1", "::1", "::", "::ffff:10.0.0.1", "::ffff:203.0.113.9", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"];
    public static readonly long[] Ports = [0, 22, 53, 80, 443, 3389, 8080, 40000, 40001, 40002, 65535];
    public static readonly long[] Protocols = [0, 1, 6, 17, 47, 58, 255];
    public static readonly long[] Counts = [0, 1, 2, 5, 40, 1500, 65536, 9_999_999_999, 999_999_999_999_999_999];
    public static readonly long[] TcpFlagValues = [0, 1, 2, 3, 18, 19, 20, 255];

    /// <summary>Text values of each text field (a few differ only by case, one holds a '*').</summary>
    public static readonly Dictionary<string, string[]> Texts = new()
    {
        ["account-id"] = ["111111111111", "222222222222"],
        ["interface-id"] = ["eni-a", "eni-b", "eni-c", "ENI-A", "eni-d", "eni-e"],
        ["vpc-id"] = ["vpc-1", "vpc-2"],
        ["subnet-id"] = ["subnet-1", "subnet-2", "subnet-3"],
        ["instance-id"] = ["i-1", "i-2"],
        ["region"] = ["eu-west-1", "us-east-1"],
        ["az-id"] = ["euw1-az1", "use1-az2"],
        ["sublocation-type"] = ["outpost", "wavelength"],
        ["sublocation-id"] = ["op-1"],
        ["pkt-src-aws-service"] = ["S3", "AMAZON", "s3"],
        ["pkt-dst-aws-service"] = ["S3", "DYNAMODB", "EC2"],
        ["ecs-cluster-arn"] = ["arn:aws:ecs:eu-west-1:111111111111:cluster/a"],
        ["ecs-cluster-name"] = ["a", "b"],
        ["ecs-container-instance-arn"] = ["arn:aws:ecs:eu-west-1:111111111111:container-instance/x"],
        ["ecs-container-instance-id"] = ["x", "y"],
        ["ecs-container-id"] = ["c1", "c2"],
        ["ecs-second-container-id"] = ["c3"],
        ["ecs-service-name"] = ["web", "svc*1"],
        ["ecs-task-definition-arn"] = ["arn:aws:ecs:eu-west-1:111111111111:task-definition/web:3"],
        ["ecs-task-arn"] = ["arn:aws:ecs:eu-west-1:111111111111:task/a/1"],
        ["ecs-task-id"] = ["1", "2"],
        ["reject-reason"] = ["BPA"],
        ["resource-type"] = ["TransitGateway", "TransitGatewayAttachment"],
        ["tgw-id"] = ["tgw-1", "tgw-2"],
        ["tgw-attachment-id"] = ["tgw-attach-1", "tgw-attach-2", "TGW-ATTACH-1"],
        ["tgw-pair-attachment-id"] = ["tgw-attach-1", "tgw-attach-3"],
        ["tgw-src-vpc-account-id"] = ["111111111111", "222222222222"],
        ["tgw-dst-vpc-account-id"] = ["111111111111"],
        ["tgw-src-vpc-id"] = ["vpc-1", "vpc-2"],
        ["tgw-dst-vpc-id"] = ["vpc-2", "vpc-3"],
        ["tgw-src-subnet-id"] = ["subnet-1"],
        ["tgw-dst-subnet-id"] = ["subnet-2", "subnet-3"],
        ["tgw-src-eni"] = ["eni-a", "eni-b"],
        ["tgw-dst-eni"] = ["eni-c"],
        ["tgw-src-az-id"] = ["use1-az1"],
        ["tgw-dst-az-id"] = ["use1-az1", "use1-az2"],
    };

    private static readonly string V2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    private static readonly string V8 = V2 + " vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id"
        + " pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn"
        + " ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id reject-reason";
    private static readonly string Custom = "start interface-id version srcaddr dstaddr packets bytes end action log-status flow-direction pkt-dstaddr";
    private static readonly string Tgw = FlowLogText.Header(FlowLogFormat.TransitGatewayDefault);

    public async ValueTask InitializeAsync()
    {
        var random = new Random(2324);
        var next = 0L;
        foreach (var (name, format, count, version) in new[] { ("a", V2, 1200, "2"), ("b", V8, 1500, "8"), ("c", Custom, 500, null), ("d", Tgw, 600, "6") })
        {
            var text = new StringBuilder(format).Append('\n');
            for (var i = 0; i < count; i++)
            {
                var fields = Record(random, next++, version);
                text.AppendJoin(' ', format.Split(' ').Select(f => fields[f])).Append('\n');
            }
            _folder.WriteGzip($"f/{name}.log.gz", text.ToString());
            await ReadAsync(text.ToString());
        }
        App = await postgres.StartAppAsync(_folder.Allow);
        await App.IngestAsync(await _folder.CreateSourceAsync(App));
    }

    private async Task ReadAsync(string text)
    {
        await using var reader = new TextFlowLogReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), gzip: false);
        FlowReadResult result;
        while ((result = await reader.ReadAsync()) != FlowReadResult.End)
        {
            Assert.True(result == FlowReadResult.Record, $"{result}: {reader.Error}");
            Records.Add(reader.Record.Start!.Value.ToUnixTimeSeconds() - Base, reader.Record.Clone());
        }
    }

    /// <summary>One record's field texts: a usual flow, or NODATA/SKIPDATA with dashes; any field may be a dash.</summary>
    private static Dictionary<string, string> Record(Random random, long number, string? version)
    {
        T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];
        string Number(long[] pool, long max) => (random.Next(4) == 0 ? random.NextInt64(max + 1) : Pick(pool)).ToString(CultureInfo.InvariantCulture);
        string Address() => random.Next(3) == 0 ? Pick(V6) : Pick(V4);
        var start = Base + number;
        var fields = new Dictionary<string, string>
        {
            ["version"] = version ?? Pick(["2", "5", "8", "-"]),
            ["start"] = start.ToString(CultureInfo.InvariantCulture),
            ["end"] = (start + random.Next(600)).ToString(CultureInfo.InvariantCulture),
        };
        var status = random.Next(20) switch { 0 or 1 => "NODATA", 2 => "SKIPDATA", _ => "OK" };
        fields["log-status"] = status;
        foreach (var (field, values) in Texts)
        {
            fields[field] = Pick(values);
        }
        foreach (var field in new[] { "srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr" })
        {
            fields[field] = Address();
        }
        fields["srcport"] = Number(Ports, 65535);
        fields["dstport"] = Number(Ports, 65535);
        fields["protocol"] = Number(Protocols, 255);
        fields["packets"] = Number(Counts, 999_999_999_999_999_999); // 18 digits at most in a log
        fields["bytes"] = Number(Counts, 999_999_999_999_999_999);
        fields["action"] = Pick(["ACCEPT", "REJECT"]);
        fields["tcp-flags"] = Number(TcpFlagValues, 255);
        fields["type"] = Pick(["IPv4", "IPv6", "EFA"]);
        fields["flow-direction"] = Pick(["ingress", "egress"]);
        fields["traffic-path"] = random.Next(1, 9).ToString(CultureInfo.InvariantCulture);
        foreach (var lost in new[] { "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded", "packets-lost-ttl-expired" })
        {
            fields[lost] = Number(Counts, 999_999_999_999_999_999);
        }
        foreach (var field in fields.Keys.ToList())
        {
            var kept = field is "start" or "log-status" || (field is "version" or "account-id" or "interface-id" or "end" && status != "OK");
            if (!kept && (status != "OK" || random.Next(12) == 0))
            {
                fields[field] = "-";
            }
        }
        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        _folder.Dispose();
    }
}

/// <summary>
/// The evaluator against PostgreSQL: for hundreds of random filters over every field (and, or, not, lists, ranges,
/// CIDRs, text, enums, context resolved to address ranges and interface sets), the records FilterEvaluator accepts
/// are exactly the rows FilterSql selects from the stored flows.
/// </summary>
public sealed class FilterEvaluatorOracleTests(EvaluatorOracleData data) : IClassFixture<EvaluatorOracleData>
{
    private const int Filters = 400;

    [Fact]
    public async Task EveryRandomFilter_AcceptsExactlyTheRowsSqlSelects()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await OpenAsync(ct);
        Assert.Equal(data.Records.Count, await CountAsync(connection, "true", [], ct));

        var random = new Random(23);
        var partial = 0;
        for (var i = 0; i < Filters; i++)
        {
            var (filter, text) = new FilterGrammar(random).Filter(depth: 3);
            var test = FilterEvaluator.Compile(filter);
            var accepted = data.Records.Where(r => test(r.Value)).Select(r => r.Key).ToList();
            var (sql, parameters) = FilterSql.Build(filter);
            List<long> selected;
            try
            {
                selected = await SelectAsync(connection, sql, parameters, ct);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"filter {i}: {text}\nSQL: {sql}", e);
            }
            if (!accepted.SequenceEqual(selected))
            {
                Assert.Fail($"filter {i}: {text}\nonly the evaluator: {string.Join(',', accepted.Except(selected).Take(10))}\nonly SQL: {string.Join(',', selected.Except(accepted).Take(10))}\nSQL: {sql}");
            }
            partial += accepted.Count > 0 && accepted.Count < data.Records.Count ? 1 : 0;
        }
        // Most filters must split the records, or the test would prove little.
        Assert.True(partial > Filters / 2, $"only {partial} of {Filters} filters selected some but not all records");
    }

    [Fact]
    public async Task FiltersResolvedByContextFilters_CompileAndAgree()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = data.App!.CreateClient(FlowLensApp.AdminKey);
        foreach (var (cidr, name) in new[] { ("10.0.0.0/16", "prod"), ("10.0.0.0/30", "prod-db"), ("2001:db8::/48", "v6"), ("::ffff:0:0/96", "mapped") })
        {
            var response = await admin.PostAsJsonAsync("/api/networks", new { cidr, name }, ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(ct));
        }
        var list = await ThreatLists.ThreatListsApiTests.CreateAsync(admin, new { name = "bad" });
        Assert.Equal(HttpStatusCode.OK, (await ThreatLists.ThreatListsApiTests.UploadAsync(admin, list.Id, "8.8.8.8\n203.0.113.0/24\n::ffff:10.0.0.1\n2001:db8::2\n")).StatusCode);

        await using var connection = await OpenAsync(ct);
        var contextFilters = data.App.Services.GetRequiredService<Api.Features.Context.ContextFilters>();
        var range = new Core.Queries.TimeRange(DateTimeOffset.FromUnixTimeSeconds(EvaluatorOracleData.Base), DateTimeOffset.FromUnixTimeSeconds(EvaluatorOracleData.Base + 4000));
        string[] filters =
        [
            "src-network = prod", "network != prod*", "dst-network in (v6, prod-db)", "src-network = mapped", "network not in (prod)",
            "threat-list = bad", "src-threat-list != bad", "dst-threat-list not in (b*)", "threat-list = unknown",
            "not threat-list = bad and network = prod", "dst-country = CN or dst-asn != 16509", "instance-name = web-* or security-group != sg-1",
        ];
        foreach (var text in filters)
        {
            var resolved = await contextFilters.ResolveAsync(FilterParser.Parse(text).Root, range, ct);
            Assert.All(FilterTree.Comparisons(resolved!), c => Assert.NotEqual(FilterKind.Context, c.Field.Kind));
            var test = FilterEvaluator.Compile(resolved);
            var (sql, parameters) = FilterSql.Build(resolved!);
            Assert.True(data.Records.Where(r => test(r.Value)).Select(r => r.Key).SequenceEqual(await SelectAsync(connection, sql, parameters, ct)), text);
        }
        // The lists and networks are really there: some records are in them.
        var bad = FilterEvaluator.Compile(await contextFilters.ResolveAsync(FilterParser.Parse("src-threat-list = bad and dst-network = v6").Root, range, ct));
        Assert.Contains(data.Records.Values, r => bad(r));
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(data.App!.ConnectionString);
        await connection.OpenAsync(ct);
        // As the product's queries run (QueryDatabase): compiling hundreds of plans would take longer than running them.
        await using var jit = new NpgsqlCommand("set jit = off", connection);
        await jit.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private static async Task<List<long>> SelectAsync(NpgsqlConnection connection, string sql, IReadOnlyList<object> parameters, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select extract(epoch from start)::bigint - {EvaluatorOracleData.Base} from flows where {sql} order by 1", connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, IReadOnlyList<object> parameters, CancellationToken ct) =>
        (await SelectAsync(connection, sql, parameters, ct)).Count;

    /// <summary>Random filters over every field, each with its text (for the failure message).</summary>
    private sealed class FilterGrammar(Random random)
    {
        private static readonly FilterField[] Plain = [.. FilterFields.All.Where(f => f.Kind != FilterKind.Context)];
        private static readonly FilterField[] AddressContext = [.. FilterFields.All.Where(f => f.Kind == FilterKind.Context && f.Columns[0] != "interface_id")];
        private static readonly FilterField[] InterfaceContext = [.. FilterFields.All.Where(f => f.Kind == FilterKind.Context && f.Columns[0] == "interface_id")];

        private T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];

        public (FilterNode Node, string Text) Filter(int depth)
        {
            if (depth == 0 || random.Next(3) == 0)
            {
                return random.Next(6) == 0 ? Context() : Comparison();
            }
            var (left, leftText) = Filter(depth - 1);
            switch (random.Next(5))
            {
                case 0:
                    return (new NotNode(left, 1), $"not ({leftText})");
                case 1 or 2:
                    var (right, rightText) = Filter(depth - 1);
                    return (new AndNode(left, right), $"({leftText}) and ({rightText})");
                default:
                    var (other, otherText) = Filter(depth - 1);
                    return (new OrNode(left, other), $"({leftText}) or ({otherText})");
            }
        }

        private (FilterNode, string) Comparison()
        {
            var field = Pick(Plain);
            var ordered = field.Kind is FilterKind.Number or FilterKind.Protocol;
            var op = random.Next(ordered ? 8 : 4) switch
            {
                0 => "=",
                1 => "!=",
                2 => "in",
                3 => "not in",
                4 => "<",
                5 => "<=",
                6 => ">",
                _ => ">=",
            };
            string value;
            if (op is "in" or "not in")
            {
                value = "(" + string.Join(", ", Enumerable.Range(0, random.Next(1, 5)).Select(_ => Value(field))) + ")";
            }
            else
            {
                value = Value(field);
            }
            var text = $"{field.Name} {op} {value}";
            var (root, error) = FilterParser.Parse(text);
            Assert.True(error is null, $"{text}: {error}");
            return (root!, text);
        }

        private string Value(FilterField field)
        {
            switch (field.Kind)
            {
                case FilterKind.Address:
                    var address = random.Next(2) == 0 ? Pick(EvaluatorOracleData.V4) : Pick(EvaluatorOracleData.V6);
                    if (random.Next(2) == 0)
                    {
                        return address;
                    }
                    var bits = address.Contains(':') ? 128 : 32;
                    return $"{address}/{random.Next(bits + 1)}";
                case FilterKind.Protocol:
                    return random.Next(3) == 0 ? Pick(["tcp", "UDP", "icmp"]) : Pick(EvaluatorOracleData.Protocols).ToString(CultureInfo.InvariantCulture);
                case FilterKind.Enum:
                    var word = Pick(field.Codes.Keys.ToList());
                    return random.Next(2) == 0 ? word.ToLowerInvariant() : word;
                case FilterKind.Text:
                    var values = EvaluatorOracleData.Texts[field.Name];
                    return random.Next(5) == 0 ? $"'never-seen-{random.Next(3)}'" : $"'{Pick(values)}'";
                default:
                    long[] pool = field.Name switch
                    {
                        "srcport" or "dstport" or "port" => EvaluatorOracleData.Ports,
                        "packets" or "bytes" or "packets-lost-no-route" or "packets-lost-blackhole" or "packets-lost-mtu-exceeded"
                            or "packets-lost-ttl-expired" => EvaluatorOracleData.Counts,
                        "tcp-flags" => EvaluatorOracleData.TcpFlagValues,
                        "traffic-path" => [0, 1, 4, 8, 9],
                        _ => [1, 2, 5, 8],
                    };
                    return (random.Next(5) == 0 ? random.NextInt64(long.MaxValue) : Pick(pool)).ToString(CultureInfo.InvariantCulture);
            }
        }

        /// <summary>A context comparison as ContextFilters resolves it: address ranges, or interfaces (some only during spans).</summary>
        private (FilterNode, string) Context()
        {
            var negative = random.Next(2) == 0;
            var op = negative ? FilterOperator.NotEqual : FilterOperator.Equal;
            if (random.Next(3) == 0)
            {
                var interfaces = EvaluatorOracleData.Texts["interface-id"].Append("eni-unseen").ToList();
                var always = interfaces.Where(_ => random.Next(4) == 0).ToArray();
                var during = interfaces.Except(always).Where(_ => random.Next(3) == 0).SelectMany(id => Enumerable.Range(0, random.Next(1, 3)).Select(_ =>
                {
                    var from = DateTimeOffset.FromUnixTimeSeconds(EvaluatorOracleData.Base + random.Next(3300));
                    return new InterfaceSpan(id, from, from.AddSeconds(random.Next(1, 1500)));
                })).ToList();
                var field = Pick(InterfaceContext);
                var node = new ContextNode(new ComparisonNode(field, op, [new FilterValue(null, "x")], 1), new InterfaceSetMatch(always, during));
                return (node, $"{field.Name} {(negative ? "!=" : "=")} <always {string.Join(' ', always)}; during {string.Join(' ', during.Select(d => $"{d.InterfaceId}@{d.From.ToUnixTimeSeconds() - EvaluatorOracleData.Base}+{(d.To - d.From).TotalSeconds}"))}>");
            }
            var ranges = new List<AddressRange>();
            for (var i = random.Next(5); i > 0; i--)
            {
                var address = IPAddress.Parse(random.Next(2) == 0 ? Pick(EvaluatorOracleData.V4) : Pick(EvaluatorOracleData.V6));
                var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
                var block = AddressRange.Of(address, random.Next(max / 2, max + 1));
                // Some ranges not aligned on a block, as merged lists and most-specific networks leave them.
                ranges.Add(random.Next(3) == 0 && block.First < block.Last ? block with { First = block.First + 1 } : block);
            }
            var multirange = AddressRanges.ToMultirange(AddressRanges.Merge(ranges));
            var addressField = Pick(AddressContext);
            var set = new ContextNode(new ComparisonNode(addressField, op, [new FilterValue(null, "x")], 1), new AddressSetMatch(multirange, ranges.Count));
            return (set, $"{addressField.Name} {(negative ? "!=" : "=")} <{multirange}>");
        }
    }
}
