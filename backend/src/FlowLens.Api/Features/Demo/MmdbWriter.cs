using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowLens.Api.Features.Demo;

/// <summary>
/// Writes small MaxMind DB files (https://maxmind.github.io/MaxMind-DB/, format 2.0), the demo's (<see cref="DemoGeo"/>)
/// and the tests' (testdata/geo): an IPv6 search tree
/// (IPv4 networks under ::/96, where readers look IPv4 addresses up) with 24-, 28- or 32-bit records, a data section
/// of maps, arrays, strings, unsigned integers, doubles and booleans, and the metadata map after
/// "\xAB\xCD\xEFMaxMind.com". No pointers: each network's record is written once per distinct value.
/// </summary>
public sealed class MmdbWriter(string databaseType, int recordSize = 28, long buildEpoch = 1_796_000_000, string? description = null)
{
    private static readonly byte[] MetadataMarker = [0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8];
    private readonly List<(IPNetwork Network, object Data)> _networks = [];

    /// <summary>Adds a network (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) and its record; a more specific one wins inside it.</summary>
    public MmdbWriter Add(string cidr, object data)
    {
        _networks.Add((IPNetwork.Parse(cidr), data));
        return this;
    }

    public byte[] Build()
    {
        if (recordSize is not (24 or 28 or 32))
        {
            throw new ArgumentException("Records are 24, 28 or 32 bits.");
        }
        var root = new Node();
        var data = new List<object>();
        foreach (var (network, value) in _networks.OrderBy(n => Bits(n.Network).Length))
        {
            var bits = Bits(network);
            var index = data.IndexOf(value);
            if (index < 0)
            {
                data.Add(value);
                index = data.Count - 1;
            }
            var node = root;
            for (var depth = 0; depth < bits.Length - 1; depth++)
            {
                var child = node.Children[bits[depth]];
                if (child is not Node next)
                {
                    // A broader network's record (or nothing) goes on in both halves of the split.
                    next = new Node { Children = { [0] = child, [1] = child } };
                    node.Children[bits[depth]] = next;
                }
                node = next;
            }
            node.Children[bits[^1]] = new Leaf(index);
        }

        // Nodes numbered breadth first, the root 0.
        var nodes = new List<Node> { root };
        for (var i = 0; i < nodes.Count; i++)
        {
            nodes.AddRange(nodes[i].Children.OfType<Node>());
        }
        var numbers = nodes.Select((n, i) => (n, i)).ToDictionary(e => e.n, e => e.i);

        var section = new MemoryStream();
        var offsets = new List<long>();
        foreach (var value in data)
        {
            offsets.Add(section.Position);
            Encode(section, value);
        }

        var file = new MemoryStream();
        var nodeCount = (long)nodes.Count;
        long Record(object? child) => child switch
        {
            Node n => numbers[n],
            Leaf leaf => nodeCount + 16 + offsets[leaf.Index],
            _ => nodeCount,
        };
        var max = (1L << recordSize) - 1;
        foreach (var node in nodes)
        {
            var (left, right) = (Record(node.Children[0]), Record(node.Children[1]));
            if (left > max || right > max)
            {
                throw new InvalidOperationException($"{recordSize}-bit records cannot point that far.");
            }
            switch (recordSize)
            {
                case 24:
                    WriteBigEndian(file, left, 3);
                    WriteBigEndian(file, right, 3);
                    break;
                case 28:
                    WriteBigEndian(file, left & 0xFFFFFF, 3);
                    file.WriteByte((byte)((((left >> 24) & 0x0F) << 4) | ((right >> 24) & 0x0F)));
                    WriteBigEndian(file, right & 0xFFFFFF, 3);
                    break;
                default:
                    WriteBigEndian(file, left, 4);
                    WriteBigEndian(file, right, 4);
                    break;
            }
        }
        file.Write(new byte[16]); // the data section separator
        section.Position = 0;
        section.CopyTo(file);
        file.Write(MetadataMarker);
        Encode(file, new Dictionary<string, object>
        {
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = (ulong)buildEpoch,
            ["database_type"] = databaseType,
            ["description"] = new Dictionary<string, object> { ["en"] = description ?? $"FlowLens test database ({databaseType}), written by MmdbWriter" },
            ["ip_version"] = (ushort)6,
            ["languages"] = new object[] { "en" },
            ["node_count"] = (uint)nodeCount,
            ["record_size"] = (ushort)recordSize,
        });
        return file.ToArray();
    }

    private sealed class Node
    {
        public object?[] Children { get; } = new object?[2];
    }

    private sealed record Leaf(int Index);

    /// <summary>The network's bits from the top of the 128-bit tree: IPv4 after 96 zero bits.</summary>
    private static byte[] Bits(IPNetwork network)
    {
        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var address = new byte[16];
        network.BaseAddress.GetAddressBytes().CopyTo(address, v4 ? 12 : 0);
        var length = network.PrefixLength + (v4 ? 96 : 0);
        if (length == 0)
        {
            throw new ArgumentException("::/0 has no record of its own in a tree.");
        }
        return [.. Enumerable.Range(0, length).Select(i => (byte)((address[i / 8] >> (7 - i % 8)) & 1))];
    }

    private static void Encode(Stream output, object value)
    {
        switch (value)
        {
            case string text:
                var bytes = Encoding.UTF8.GetBytes(text);
                Control(output, 2, bytes.Length);
                output.Write(bytes);
                break;
            case double number:
                Control(output, 3, 8);
                Span<byte> buffer = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(buffer, number);
                output.Write(buffer);
                break;
            case bool flag:
                Control(output, 14, flag ? 1 : 0);
                break;
            case ushort n:
                Unsigned(output, 5, n);
                break;
            case uint n:
                Unsigned(output, 6, n);
                break;
            case int n when n >= 0:
                Unsigned(output, 6, (ulong)n);
                break;
            case ulong n:
                Unsigned(output, 9, n);
                break;
            case long n when n >= 0:
                Unsigned(output, n <= uint.MaxValue ? 6 : 9, (ulong)n);
                break;
            case IDictionary<string, object> map:
                Control(output, 7, map.Count);
                foreach (var (key, item) in map)
                {
                    Encode(output, key);
                    Encode(output, item);
                }
                break;
            case object[] array:
                Control(output, 11, array.Length);
                foreach (var item in array)
                {
                    Encode(output, item);
                }
                break;
            default:
                throw new ArgumentException($"No MaxMind DB type for {value.GetType()}");
        }
    }

    // Unsigned integers take as few big-endian bytes as their value needs (none for 0).
    private static void Unsigned(Stream output, int type, ulong value)
    {
        var size = value == 0 ? 0 : (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
        Control(output, type, size);
        WriteBigEndian(output, (long)value, size);
    }

    /// <summary>The control byte: type in the top 3 bits (0 and a next byte of type - 7 for the extended types), then the size.</summary>
    private static void Control(Stream output, int type, int size)
    {
        var (sizeBits, extra, extraBytes) = size switch
        {
            < 29 => (size, 0, 0),
            < 285 => (29, size - 29, 1),
            < 65_821 => (30, size - 285, 2),
            _ => (31, size - 65_821, 3),
        };
        output.WriteByte((byte)(((type <= 7 ? type : 0) << 5) | sizeBits));
        if (type > 7)
        {
            output.WriteByte((byte)(type - 7));
        }
        WriteBigEndian(output, extra, extraBytes);
    }

    private static void WriteBigEndian(Stream output, long value, int bytes)
    {
        for (var i = bytes - 1; i >= 0; i--)
        {
            output.WriteByte((byte)(value >> (8 * i)));
        }
    }
}
