using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Firehose;

/// <summary>
/// The flow log text that one Amazon Data Firehose HTTP endpoint request carries, read as its body arrives. The body
/// is Firehose's JSON, <c>{"requestId": "…", "timestamp": 1578090901599, "records": [{"data": "base64…"}, …]}</c>;
/// each record's data is either flow log text as VPC Flow Logs publish it to Firehose (a line, or several), or a
/// CloudWatch Logs subscription message (gzip-compressed JSON whose <c>logEvents</c>' messages are the lines) when the
/// flow logs reach Firehose through a log group. Each record's text ends with a newline here. A body that is not this shape
/// fails with an <see cref="UnreadableInputException"/> saying where; one longer than its limit with a
/// <see cref="FirehoseBodyTooLargeException"/>. Memory is bounded by the largest record, not the body.
/// </summary>
public sealed class FirehoseRecordStream : Stream
{
    /// <summary>The longest JSON value read: Firehose's records are at most 1,000 KiB, 1.4 MB in base64.</summary>
    public const int MaxValueBytes = 4 << 20;

    /// <summary>A record's bytes once its gzip is undone (a CloudWatch Logs subscription message is at most about 1 MB).</summary>
    public const int MaxRecordBytes = 16 << 20;

    private readonly Stream _body;
    private readonly long _maxBodyBytes;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _eof, _done;
    private JsonReaderState _state;

    private bool _inRecords, _sawRecords, _recordHasData;
    private string? _property;
    private bool _recordProperty;

    private byte[] _text = [];
    private int _textStart;
    private bool _newline;

    /// <param name="body">The request body once its Content-Encoding is undone; disposed with this stream.</param>
    /// <param name="maxBodyBytes">The most JSON to read; past it, <see cref="FirehoseBodyTooLargeException"/>.</param>
    public FirehoseRecordStream(Stream body, long maxBodyBytes) => (_body, _maxBodyBytes) = (body, maxBodyBytes);

    /// <summary>The body's <c>requestId</c>, once read.</summary>
    public string? RequestId { get; private set; }

    /// <summary>The body's <c>timestamp</c> (Unix milliseconds), once read.</summary>
    public long? Timestamp { get; private set; }

    /// <summary>Records read so far.</summary>
    public int Records { get; private set; }

    /// <summary>JSON bytes read so far.</summary>
    public long BodyBytes { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        while (_textStart == _text.Length)
        {
            if (_newline)
            {
                _newline = false;
                destination.Span[0] = (byte)'\n';
                return 1;
            }
            if (!await NextRecordAsync(cancellationToken))
            {
                return 0;
            }
        }
        var count = Math.Min(destination.Length, _text.Length - _textStart);
        _text.AsSpan(_textStart, count).CopyTo(destination.Span);
        _textStart += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Reads on to the next record's data; false at the end of the body.</summary>
    private async ValueTask<bool> NextRecordAsync(CancellationToken ct)
    {
        while (true)
        {
            if (Advance())
            {
                return true;
            }
            if (_done)
            {
                return false;
            }
            await FillAsync(ct);
        }
    }

    /// <summary>Reads the tokens in the buffer up to the next record's data (true), or until it needs more bytes.</summary>
    private bool Advance()
    {
        if (_done)
        {
            return false;
        }
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
        try
        {
            while (reader.Read())
            {
                if (Token(ref reader))
                {
                    Consumed(ref reader);
                    return true;
                }
            }
        }
        catch (JsonException e)
        {
            throw new UnreadableInputException($"the body is not JSON: {e.Message}");
        }
        Consumed(ref reader);
        if (_eof)
        {
            // The reader ends quietly only after a whole value: the body is complete.
            _done = true;
            if (!_sawRecords)
            {
                throw new UnreadableInputException("the body has no records array");
            }
        }
        return false;
    }

    private void Consumed(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    /// <summary>Takes one token; true when it was a record's data, now in <see cref="_text"/>.</summary>
    private bool Token(ref Utf8JsonReader reader)
    {
        var (depth, type) = (reader.CurrentDepth, reader.TokenType);
        if (depth == 0)
        {
            return type is JsonTokenType.StartObject or JsonTokenType.EndObject ? false : throw new UnreadableInputException("the body is not a JSON object");
        }
        if (depth == 1)
        {
            if (type == JsonTokenType.PropertyName)
            {
                _property = reader.GetString();
            }
            else if (_inRecords && type == JsonTokenType.EndArray)
            {
                _inRecords = false;
            }
            else if (_property == "requestId")
            {
                RequestId = type == JsonTokenType.String ? reader.GetString() : throw new UnreadableInputException("requestId is not a string");
            }
            else if (_property == "timestamp")
            {
                Timestamp = type == JsonTokenType.Number && reader.TryGetInt64(out var timestamp) ? timestamp
                    : throw new UnreadableInputException("timestamp is not a number of milliseconds");
            }
            else if (_property == "records")
            {
                if (type != JsonTokenType.StartArray || _sawRecords)
                {
                    throw new UnreadableInputException(_sawRecords ? "the body has two records arrays" : "records is not an array");
                }
                _inRecords = _sawRecords = true;
            }
            return false;
        }
        if (!_inRecords)
        {
            return false; // inside another top-level value
        }
        if (depth == 2)
        {
            switch (type)
            {
                case JsonTokenType.StartObject:
                    (_recordHasData, _recordProperty) = (false, false);
                    return false;
                case JsonTokenType.EndObject:
                    return _recordHasData ? false : throw new UnreadableInputException($"record {Records + 1} has no data");
                default:
                    throw new UnreadableInputException($"record {Records + 1} is not an object");
            }
        }
        if (depth != 3)
        {
            return false;
        }
        if (type == JsonTokenType.PropertyName)
        {
            _recordProperty = reader.ValueTextEquals("data"u8);
            return false;
        }
        if (!_recordProperty)
        {
            return false;
        }
        if (_recordHasData)
        {
            throw new UnreadableInputException($"record {Records}: data appears twice");
        }
        if (type != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var data))
        {
            throw new UnreadableInputException($"record {Records + 1}: data is not base64");
        }
        _recordHasData = true;
        Records++;
        _text = TextOf(data, Records);
        _textStart = 0;
        _newline = _text.Length > 0 && _text[^1] != (byte)'\n';
        return true;
    }

    /// <summary>A record's flow log text: the data itself, or the lines of the CloudWatch Logs message it holds.</summary>
    private static byte[] TextOf(byte[] data, int record)
    {
        if (data is [0x1f, 0x8b, ..])
        {
            data = Gunzip(data, record);
        }
        var content = data.AsSpan().TrimStart(" \t\r\n"u8);
        return content.Length > 0 && content[0] == (byte)'{' ? CloudWatchLines(data, record) : data;
    }

    /// <summary>
    /// A CloudWatch Logs subscription message: <c>DATA_MESSAGE</c>'s events, one line each; nothing from the
    /// <c>CONTROL_MESSAGE</c> that checks the destination is reachable.
    /// </summary>
    private static byte[] CloudWatchLines(byte[] json, int record)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type == "CONTROL_MESSAGE")
            {
                return [];
            }
            if (type != "DATA_MESSAGE" || !root.TryGetProperty("logEvents", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                throw new UnreadableInputException($"record {record} is JSON but not a CloudWatch Logs subscription message (messageType DATA_MESSAGE with logEvents)");
            }
            var lines = new ArrayBufferWriter<byte>(json.Length);
            foreach (var e in events.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String)
                {
                    throw new UnreadableInputException($"record {record}: a log event has no message");
                }
                var text = message.GetString()!;
                var span = lines.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) + 1);
                var written = System.Text.Encoding.UTF8.GetBytes(text, span);
                span[written] = (byte)'\n';
                lines.Advance(written + 1);
            }
            return lines.WrittenSpan.ToArray();
        }
        catch (JsonException e)
        {
            throw new UnreadableInputException($"record {record} starts like JSON but is not JSON: {e.Message}");
        }
    }

    private static byte[] Gunzip(byte[] data, int record)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (output.Length + read > MaxRecordBytes)
                {
                    throw new UnreadableInputException($"record {record} holds more than {MaxRecordBytes} bytes once decompressed");
                }
                output.Write(chunk, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new UnreadableInputException($"record {record}: unreadable gzip data ({e.Message})");
        }
    }

    /// <summary>Reads more of the body after the unread bytes, growing the buffer for a long value up to its limit.</summary>
    private async ValueTask FillAsync(CancellationToken ct)
    {
        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        (_end, _start) = (_end - _start, 0);
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxValueBytes)
            {
                throw new UnreadableInputException($"a value in the body is longer than {MaxValueBytes} bytes (Firehose's records are at most 1,000 KiB)");
            }
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxValueBytes));
        }
        var read = await _body.ReadAsync(_buffer.AsMemory(_end), ct);
        _end += read;
        BodyBytes += read;
        if (BodyBytes > _maxBodyBytes)
        {
            throw new FirehoseBodyTooLargeException(_maxBodyBytes);
        }
        _eof = read == 0;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>A Firehose request body longer than FlowLens takes (answered 413, so the stream's buffer can be made smaller).</summary>
public sealed class FirehoseBodyTooLargeException(long limit) : Exception($"the request body is more than {limit} bytes")
{
    public long Limit { get; } = limit;
}
