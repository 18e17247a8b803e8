using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;

namespace FlowLens.Bench;

/// <summary>Writes <see cref="RealisticTraffic"/> as AWS delivers it to S3: gzip text objects with a header, in the S3 key layout, in parallel.</summary>
internal static class TrafficFiles
{
    public const int RecordsPerObject = 50_000;

    /// <summary>v2: AWS's default format; v5: every field of versions 2 to 5.</summary>
    public static FlowLogFormat Format(string name) => name switch
    {
        "v2" => FlowLogFormat.Default,
        "v5" => SyntheticFlows.V5AllFields,
        _ => throw new ArgumentException($"unknown format '{name}' (v2 or v5)"),
    };

    /// <summary>
    /// Writes <paramref name="records"/> records spread evenly over [<paramref name="from"/>, + <paramref name="span"/>),
    /// in objects of <paramref name="perObject"/> records; returns the distinct internet addresses of each day written.
    /// </summary>
    public static IReadOnlyDictionary<DateOnly, int> Write(string root, RealisticTraffic traffic, FlowLogFormat format, DateTimeOffset from, TimeSpan span, long records,
        int perObject = RecordsPerObject)
    {
        var objects = (int)Math.Max(1, records / perObject);
        var seconds = (long)span.TotalSeconds;
        var distinct = new ConcurrentDictionary<DateOnly, HashSet<Address>>();
        Parallel.For(0, objects, serial =>
        {
            var start = from.ToUnixTimeSeconds() + seconds * serial / objects;
            var length = (int)(seconds * (serial + 1) / objects - seconds * serial / objects);
            var seen = WriteObject(root, traffic, format, serial, start, length, perObject);
            var day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(start).UtcDateTime);
            var set = distinct.GetOrAdd(day, _ => []);
            lock (set)
            {
                set.UnionWith(seen);
            }
        });
        return distinct.ToDictionary(d => d.Key, d => d.Value.Count);
    }

    /// <summary>Days since 2000-01-01 of a Unix time: what picks a day's internet addresses.</summary>
    public static int Day(long unixSeconds) => (int)((unixSeconds - 946_684_800) / 86_400);

    private static HashSet<Address> WriteObject(string root, RealisticTraffic traffic, FlowLogFormat format, int serial, long start, int seconds, int records)
    {
        var seen = new HashSet<Address>();
        var time = DateTimeOffset.FromUnixTimeSeconds(start + seconds);
        var account = "111122223333";
        var path = Path.Combine(root, SyntheticFlowLogFiles.KeyFor(account, time, serial));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(FlowLogText.Header(format));
        var fields = format.Columns.Select(c => c!.Field).ToArray();
        var version = format.Columns.Max(c => c!.Version);
        var line = new LineBuilder();
        // The tail slice: the part of the day's addresses that this object's time slice holds.
        var dayStart = start - (start - 946_684_800) % 86_400;
        var tailFrom = (int)((start - dayStart) * traffic.Addresses / 86_400);
        var tailTo = (int)Math.Min(traffic.Addresses, (start + seconds - dayStart) * traffic.Addresses / 86_400);
        foreach (var flow in traffic.Object(Day(start), serial, tailFrom, tailTo, start, seconds, records))
        {
            if (flow.Internet)
            {
                seen.Add(flow.Ingress ? flow.Src : flow.Dst);
            }
            line.Clear();
            for (var i = 0; i < fields.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(' ');
                }
                Append(line, flow, fields[i], version);
            }
            writer.Write(line.Chars, 0, line.Length);
            writer.Write('\n');
        }
        return seen;
    }

    private static void Append(LineBuilder line, in Flow f, FlowField field, int version)
    {
        var data = f.Status == 0;
        switch (field)
        {
            case FlowField.Version: line.Append(version); return;
            case FlowField.AccountId: line.Append(f.Account); return;
            case FlowField.InterfaceId: line.Append("eni-0a1b").AppendHex(f.Local, 13); return;
            case FlowField.Start: line.Append(f.Start); return;
            case FlowField.End: line.Append(f.End); return;
            case FlowField.LogStatus: line.Append(f.Status switch { 0 => "OK", 1 => "NODATA", _ => "SKIPDATA" }); return;
            case FlowField.VpcId: line.Append(RealisticTraffic.VpcIds[f.Local % 3]); return;
            case FlowField.SubnetId: line.Append("subnet-0a1b2c3d").AppendHex(f.Local / 250, 9); return;
            case FlowField.InstanceId: if (f.Local % 10 == 9) { line.Append('-'); } else { line.Append("i-0f").AppendHex(f.Local, 15); } return;
            case FlowField.Region: line.Append(SyntheticFlowLogFiles.Region); return;
            case FlowField.AzId: line.Append("euw1-az").Append(f.Local % 3 + 1); return;
            case FlowField.SublocationType or FlowField.SublocationId: line.Append('-'); return;
        }
        if (!data)
        {
            line.Append('-');
            return;
        }
        switch (field)
        {
            case FlowField.SrcAddr or FlowField.PktSrcAddr: line.Append(f.Src); return;
            case FlowField.DstAddr or FlowField.PktDstAddr: line.Append(f.Dst); return;
            case FlowField.SrcPort: line.Append(f.SrcPort); return;
            case FlowField.DstPort: line.Append(f.DstPort); return;
            case FlowField.Protocol: line.Append(f.Protocol); return;
            case FlowField.Packets: line.Append(f.Packets); return;
            case FlowField.Bytes: line.Append(f.Bytes); return;
            case FlowField.Action: line.Append(f.Action ? "ACCEPT" : "REJECT"); return;
            case FlowField.TcpFlags: line.Append(f.Flags); return;
            case FlowField.Type: line.Append(f.Src.V6 != 0 ? "IPv6" : "IPv4"); return;
            case FlowField.PktSrcAwsService: line.Append('-'); return;
            case FlowField.PktDstAwsService: line.Append(f.Ingress ? "-" : f.AwsService ?? "-"); return;
            case FlowField.FlowDirection: line.Append(f.Ingress ? "ingress" : "egress"); return;
            case FlowField.TrafficPath: if (f.Ingress) { line.Append('-'); } else { line.Append(f.Internet ? 8 : 1); } return;
            default: line.Append('-'); return;
        }
    }

    /// <summary>A reusable line of text, numbers and addresses appended without allocating.</summary>
    private sealed class LineBuilder
    {
        public char[] Chars { get; } = new char[4096];
        public int Length { get; private set; }

        public void Clear() => Length = 0;

        public LineBuilder Append(char c)
        {
            Chars[Length++] = c;
            return this;
        }

        public LineBuilder Append(string s)
        {
            s.CopyTo(Chars.AsSpan(Length));
            Length += s.Length;
            return this;
        }

        public LineBuilder Append(long value)
        {
            value.TryFormat(Chars.AsSpan(Length), out var written, default, CultureInfo.InvariantCulture);
            Length += written;
            return this;
        }

        public LineBuilder AppendHex(long value, int digits)
        {
            value.TryFormat(Chars.AsSpan(Length), out var written, "x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            Length += written;
            return this;
        }

        public LineBuilder Append(Address a)
        {
            if (a.V6 == 0)
            {
                return Append(a.V4 >> 24).Append('.').Append((a.V4 >> 16) & 255).Append('.').Append((a.V4 >> 8) & 255).Append('.').Append(a.V4 & 255);
            }
            if (a.V6 < 1 << 20)
            {
                // An inside host's IPv6 address in the VPC's /56.
                Append("2600:1f18:4c00:100::");
                return AppendGroup(a.V6);
            }
            Append("2a02:26f0::");
            return AppendGroup(a.V6 >> 48).Append(':').AppendGroup((a.V6 >> 32) & 0xFFFF).Append(':').AppendGroup((a.V6 >> 16) & 0xFFFF).Append(':').AppendGroup(a.V6 & 0xFFFF);
        }

        private LineBuilder AppendGroup(ulong group)
        {
            group.TryFormat(Chars.AsSpan(Length), out var written, "x", CultureInfo.InvariantCulture);
            Length += written;
            return this;
        }
    }
}
