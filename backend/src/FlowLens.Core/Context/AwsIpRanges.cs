using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FlowLens.Core.Context;

/// <summary>One prefix of AWS's ip-ranges.json: <c>service</c> is <c>AMAZON</c> for every AWS address, or a subset (S3, EC2...).</summary>
public sealed record AwsIpPrefix(IPNetwork Prefix, string Service, string Region, string? NetworkBorderGroup)
{
    public const string Amazon = "AMAZON";

    /// <summary>
    /// Between two entries for the same prefix, a named service wins over <c>AMAZON</c> (every AWS prefix is listed
    /// under AMAZON too); otherwise the first stays.
    /// </summary>
    public static AwsIpPrefix MoreSpecific(AwsIpPrefix kept, AwsIpPrefix next) =>
        kept.Service == Amazon && next.Service != Amazon ? next : kept;
}

/// <summary>A whole ip-ranges.json: its publication (sync token, create date) and its IPv4 and IPv6 prefixes.</summary>
public sealed record AwsIpRangesDocument(string SyncToken, DateTimeOffset CreateDate, List<AwsIpPrefix> Prefixes)
{
    public int Ipv4Count => Prefixes.Count(p => p.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork);
    public int Ipv6Count => Prefixes.Count - Ipv4Count;
}

/// <summary>What reading an ip-ranges.json gave: the document, or why it is not one (with the line, when JSON says).</summary>
public sealed record AwsIpRangesResult(AwsIpRangesDocument? Document, string? Error);

/// <summary>
/// Reads AWS's ip-ranges.json (https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-syntax.html) as it streams in:
/// the JSON is never held whole, only its prefixes. Unknown properties are skipped; a missing field, a bad CIDR, an
/// IPv6 prefix among the IPv4 ones (or the reverse) or more than <see cref="MaxPrefixes"/> prefixes is an error.
/// </summary>
public static class AwsIpRanges
{
    /// <summary>The file held about 10,000 prefixes in 2026; a hundred times that is not AWS's.</summary>
    public const int MaxPrefixes = 1_000_000;

    /// <summary>The longest token (a string, a number) read; AWS's are a few dozen bytes.</summary>
    private const int MaxTokenBytes = 1024 * 1024;

    public static async Task<AwsIpRangesResult> ParseAsync(Stream json, CancellationToken ct)
    {
        var state = new ParseState();
        var buffer = new byte[64 * 1024];
        var filled = 0;
        var final = false;
        try
        {
            while (true)
            {
                if (!final)
                {
                    if (filled == buffer.Length)
                    {
                        if (buffer.Length >= MaxTokenBytes)
                        {
                            return new(null, $"Not an AWS ip-ranges.json: a value longer than {MaxTokenBytes / 1024 / 1024} MiB.");
                        }
                        Array.Resize(ref buffer, buffer.Length * 2); // one token longer than the buffer
                    }
                    var read = await json.ReadAsync(buffer.AsMemory(filled), ct);
                    filled += read;
                    final = read == 0;
                }
                var consumed = state.Feed(buffer.AsSpan(0, filled), final);
                if (state.Error is not null)
                {
                    return new(null, state.Error);
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (final)
                {
                    return state.Finish();
                }
            }
        }
        catch (JsonException e)
        {
            return new(null, $"Not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
    }

    public static Task<AwsIpRangesResult> ParseAsync(string json, CancellationToken ct = default) =>
        ParseAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), ct);

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd();

    /// <summary>The parse between buffers: where in the document the next token falls.</summary>
    private sealed class ParseState
    {
        private JsonReaderState _reader = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        private string? _syncToken, _createDate, _property, _array;
        private bool _sawPrefixes, _sawIpv6Prefixes, _started, _done;
        private int _depth, _skipFrom = -1;
        private long _consumed, _itemStart; // bytes of the stream before the current buffer; where the entry read began
        private Dictionary<string, string?>? _item;
        private readonly List<AwsIpPrefix> _prefixes = [];

        public string? Error { get; private set; }

        public int Feed(ReadOnlySpan<byte> data, bool final)
        {
            var reader = new Utf8JsonReader(data, final, _reader);
            while (Error is null && reader.Read())
            {
                Token(ref reader);
            }
            _reader = reader.CurrentState;
            _consumed += reader.BytesConsumed;
            return (int)reader.BytesConsumed;
        }

        private void Token(ref Utf8JsonReader reader)
        {
            var type = reader.TokenType;
            if (_done)
            {
                return; // Utf8JsonReader itself refuses anything after the root value
            }
            if (!_started)
            {
                _started = true;
                if (type != JsonTokenType.StartObject)
                {
                    Fail(ref reader, "the document is not a JSON object");
                }
                _depth = 1;
                return;
            }
            if (_skipFrom >= 0)
            {
                // Inside a value nobody reads (an unknown property's object or array).
                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    _depth++;
                }
                else if (type is JsonTokenType.EndObject or JsonTokenType.EndArray && --_depth == _skipFrom)
                {
                    _skipFrom = -1;
                }
                return;
            }
            switch (_depth, type)
            {
                case (1, JsonTokenType.PropertyName):
                    _property = reader.GetString();
                    return;
                case (1, JsonTokenType.EndObject):
                    _done = true;
                    return;
                case (1, JsonTokenType.StartArray) when _property is "prefixes" or "ipv6_prefixes":
                    _array = _property;
                    (_sawPrefixes, _sawIpv6Prefixes) = (_sawPrefixes || _array == "prefixes", _sawIpv6Prefixes || _array == "ipv6_prefixes");
                    _depth = 2;
                    return;
                case (1, JsonTokenType.String) when _property is "syncToken":
                    _syncToken = reader.GetString();
                    return;
                case (1, JsonTokenType.String) when _property is "createDate":
                    _createDate = reader.GetString();
                    return;
                case (1, _) when _property is "syncToken" or "createDate" or "prefixes" or "ipv6_prefixes":
                    Fail(ref reader, $"'{_property}' is not a {(_property is "prefixes" or "ipv6_prefixes" ? "array" : "string")}");
                    return;
                case (1, JsonTokenType.StartObject or JsonTokenType.StartArray):
                    _skipFrom = 1;
                    _depth = 2;
                    return;
                case (1, _):
                    return; // an unknown property's plain value
                case (2, JsonTokenType.StartObject):
                    _item = [];
                    _itemStart = _consumed + reader.TokenStartIndex;
                    _depth = 3;
                    return;
                case (2, JsonTokenType.EndArray):
                    _depth = 1;
                    return;
                case (2, _):
                    Fail(ref reader, $"an entry of '{_array}' is not an object");
                    return;
                case (3, JsonTokenType.PropertyName):
                    _property = reader.GetString();
                    return;
                case (3, JsonTokenType.String):
                    _item![_property!] = reader.GetString();
                    return;
                case (3, JsonTokenType.StartObject or JsonTokenType.StartArray):
                    _skipFrom = 3;
                    _depth = 4;
                    return;
                case (3, JsonTokenType.EndObject):
                    _depth = 2;
                    Entry(_item!);
                    return;
                case (3, _):
                    _item![_property!] = null; // a number, boolean or null where AWS writes strings: missing
                    return;
            }
        }

        private void Entry(Dictionary<string, string?> item)
        {
            var v6 = _array == "ipv6_prefixes";
            var prefixField = v6 ? "ipv6_prefix" : "ip_prefix";
            var number = _prefixes.Count + 1;
            if (item.GetValueOrDefault(prefixField) is not { } text)
            {
                Fail(_itemStart, $"an entry of '{_array}' has no '{prefixField}'");
                return;
            }
            if (!Cidr.TryParse(text, clearHostBits: true, out var prefix, out var error) || text.IndexOf('/') < 0)
            {
                Fail(_itemStart, $"'{prefixField}' {error?.TrimEnd('.') ?? $"'{text}' has no prefix length"}");
                return;
            }
            if ((prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) != v6)
            {
                Fail(_itemStart, $"'{text}' is not an IPv{(v6 ? 6 : 4)} prefix, yet it is in '{_array}'");
                return;
            }
            if (item.GetValueOrDefault("service") is not { Length: > 0 } service || item.GetValueOrDefault("region") is not { Length: > 0 } region)
            {
                Fail(_itemStart, $"the entry for {text} has no 'service' or 'region'");
                return;
            }
            if (number > MaxPrefixes)
            {
                Fail(_itemStart, $"more than {MaxPrefixes:N0} prefixes");
                return;
            }
            _prefixes.Add(new AwsIpPrefix(prefix, service, region, item.GetValueOrDefault("network_border_group")));
        }

        private void Fail(ref Utf8JsonReader reader, string reason) => Fail(_consumed + reader.TokenStartIndex, reason);

        private void Fail(long offset, string reason) => Error ??= $"Not an AWS ip-ranges.json: {reason} (at byte {offset + 1}).";

        public AwsIpRangesResult Finish()
        {
            if (!_done)
            {
                return new(null, "Not an AWS ip-ranges.json: the document ends early.");
            }
            if (_syncToken is null || _createDate is null)
            {
                return new(null, "Not an AWS ip-ranges.json: 'syncToken' or 'createDate' is missing.");
            }
            if (!_sawPrefixes && !_sawIpv6Prefixes)
            {
                return new(null, "Not an AWS ip-ranges.json: it has neither 'prefixes' nor 'ipv6_prefixes'.");
            }
            if (!DateTime.TryParseExact(_createDate, "yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created))
            {
                return new(null, $"Not an AWS ip-ranges.json: 'createDate' '{_createDate}' is not yyyy-mm-dd-hh-mm-ss.");
            }
            return new(new AwsIpRangesDocument(_syncToken, new DateTimeOffset(created, TimeSpan.Zero), _prefixes), null);
        }
    }
}
