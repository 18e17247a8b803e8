using System.IO.Compression;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Streams records from flow log text (an S3 <c>.log.gz</c> or <c>.log</c> object, or CloudWatch messages), with
/// memory bounded by the longest line and work by the <see cref="FlowLogLimits"/>. A header line sets the format for the lines after it (S3 files start
/// with one; a file may hold several blocks); lines before any header use the given format.
/// </summary>
public sealed class TextFlowLogReader : IFlowLogReader
{
    private const int MaxWarnings = 50;

    private readonly Stream _stream;
    private readonly GzipTrailerCheck? _gzip;
    private readonly FlowLogLimits _limits;
    private readonly int _maxLineLength;
    private readonly List<string> _warnings = [];
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _skippingLongLine;
    private long _lineNumber;
    private long _bytes;
    private long _lines;
    private FlowLineParser _parser;

    /// <param name="stream">The object's bytes; the reader disposes it.</param>
    /// <param name="gzip">Whether the bytes are gzip-compressed (from the object's name: <c>.gz</c>).</param>
    /// <param name="format">The format of lines before any header line; the v2 default when null.</param>
    public TextFlowLogReader(Stream stream, bool gzip, FlowLogFormat? format = null, FlowLogLimits? limits = null)
    {
        if (gzip)
        {
            _gzip = new GzipTrailerCheck(stream);
            _stream = _gzip.Decompressed;
        }
        else
        {
            _stream = stream;
        }
        _limits = limits ?? FlowLogLimits.Default;
        _maxLineLength = _limits.MaxLineLength;
        _buffer = new byte[Math.Min(64 * 1024, _maxLineLength)];
        _parser = new FlowLineParser(format ?? FlowLogFormat.Default);
    }

    public FlowRecord Record => _parser.Record;

    public long Line => _lineNumber;

    public FlowLogFormat Format => _parser.Format;

    public FlowLogError? Error { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public ValueTask<FlowReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        // Most calls find a whole line in the buffer: answer those without the async machinery.
        TryReadBuffered(out var result) ? new(result) : ReadAfterFillAsync(cancellationToken);

    private async ValueTask<FlowReadResult> ReadAfterFillAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (await FillAsync(cancellationToken))
            {
                case Fill.Unreadable:
                    return FlowReadResult.ObjectError;
                case Fill.LineTooLong:
                    return Counted(FlowReadResult.LineError);
            }
            if (TryReadBuffered(out var result))
            {
                return result;
            }
        }
    }

    /// <summary>Reads on from the bytes in the buffer; false when it needs more bytes first.</summary>
    private bool TryReadBuffered(out FlowReadResult result)
    {
        result = FlowReadResult.ObjectError;
        if (Error is { Line: 0 })
        {
            return true;
        }
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0 && !_eof)
            {
                return false;
            }
            if (newline < 0 && _start == _end)
            {
                result = FlowReadResult.End;
                return true;
            }
            var length = newline < 0 ? _end - _start : newline;
            var line = _buffer.AsSpan(_start, length);
            _start += newline < 0 ? length : length + 1;
            if (_skippingLongLine)
            {
                // The tail of a line that was too long: already reported.
                _skippingLongLine = false;
                continue;
            }
            _lineNumber++;
            line = line.TrimEnd(" \t\r"u8);
            if (line.IsEmpty || line.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }
            if (FlowLogFormat.LooksLikeHeader(line))
            {
                if (SetFormat(line) is { } headerError)
                {
                    // A header that names a field twice: report it, and keep reading with the format we had.
                    Error = new FlowLogError(_lineNumber, 0, null, $"bad header line: {FlowLogError.Printable(headerError)}", FlowLineParser.TextOf(line));
                    result = Counted(FlowReadResult.LineError);
                    return true;
                }
                continue;
            }
            if (_parser.TryParse(line, _lineNumber, out var error))
            {
                result = Counted(FlowReadResult.Record);
                return true;
            }
            Error = error;
            result = Counted(FlowReadResult.LineError);
            return true;
        }
    }

    /// <summary>Counts a line read; past <see cref="FlowLogLimits.MaxRecordsPerObject"/> the object fails instead.</summary>
    private FlowReadResult Counted(FlowReadResult result)
    {
        if (++_lines <= _limits.MaxRecordsPerObject && _lineNumber <= int.MaxValue)
        {
            return result;
        }
        // Line numbers are stored as integers: blank lines count too.
        Error = new FlowLogError(0, 0, null, _lineNumber > int.MaxValue ? $"the object holds more than {int.MaxValue} lines"
            : $"the object holds more than {_limits.MaxRecordsPerObject} lines (limit MaxRecordsPerObject)", "");
        return FlowReadResult.ObjectError;
    }

    /// <summary>Switches to the format a header line names; the reason when it names none.</summary>
    private string? SetFormat(ReadOnlySpan<byte> header)
    {
        if (!FlowLogFormat.TryParse(System.Text.Encoding.ASCII.GetString(header), out var format, out var error))
        {
            return error;
        }
        if (!format.Names.SequenceEqual(_parser.Format.Names))
        {
            _parser = new FlowLineParser(format, _parser.Strings);
            _warnings.AddRange(format.Warnings.Where(w => !_warnings.Contains(w)).Take(MaxWarnings - _warnings.Count));
        }
        return null;
    }

    private enum Fill { Filled, LineTooLong, Unreadable }

    /// <summary>Reads more bytes after the unread ones, growing the buffer for a long line up to the limit.</summary>
    private async ValueTask<Fill> FillAsync(CancellationToken cancellationToken)
    {
        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        (_end, _start) = (_end - _start, 0);
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxLineLength)
            {
                // Report the line once, drop what we have of it, and skip the rest of it up to its newline.
                var reported = _skippingLongLine;
                _skippingLongLine = true;
                _end = 0;
                if (!reported)
                {
                    _lineNumber++;
                    Error = new FlowLogError(_lineNumber, 0, null, $"line is longer than {_maxLineLength} bytes", FlowLineParser.TextOf(_buffer));
                    return Fill.LineTooLong;
                }
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxLineLength));
            }
        }
        try
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            _bytes += read;
            if (_bytes > _limits.MaxObjectBytes)
            {
                // A gzip bomb, or simply too much for one transaction: fail it whole, before reading the rest.
                Error = new FlowLogError(0, 0, null, $"the object holds more than {_limits.MaxObjectBytes} bytes once decompressed (limit MaxObjectBytes)", "");
                return Fill.Unreadable;
            }
            if (read == 0)
            {
                _eof = true;
                _gzip?.VerifyAtEnd();
            }
            return Fill.Filled;
        }
        catch (InvalidDataException e)
        {
            Error = new FlowLogError(0, 0, null, $"unreadable gzip data: {e.Message}", "");
            return Fill.Unreadable;
        }
        catch (UnreadableInputException e)
        {
            Error = new FlowLogError(0, 0, null, e.Message, "");
            return Fill.Unreadable;
        }
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    /// <summary>
    /// .NET's GZipStream ends quietly when the compressed data is cut short, so a truncated object would look
    /// complete. This checks the gzip trailer (CRC-32 and length of the data) against what was decompressed.
    /// It assumes one gzip member, as AWS writes; concatenated members are reported as corrupt.
    /// </summary>
    private sealed class GzipTrailerCheck
    {
        private readonly byte[] _trailer = new byte[8];
        private readonly System.IO.Hashing.Crc32 _crc = new();
        private long _compressedLength;
        private long _length;

        public GzipTrailerCheck(Stream compressed)
        {
            var observedCompressed = new ObservedStream(compressed, RememberTrailer);
            Decompressed = new ObservedStream(new GZipStream(observedCompressed, CompressionMode.Decompress), AddData);
        }

        public Stream Decompressed { get; }

        public void VerifyAtEnd()
        {
            if (_compressedLength < 18)
            {
                throw new InvalidDataException("the object is empty or too short to be gzip");
            }
            if (BitConverter.ToUInt32(_trailer, 0) != _crc.GetCurrentHashAsUInt32() || BitConverter.ToUInt32(_trailer, 4) != (uint)_length)
            {
                throw new InvalidDataException("the gzip data is truncated or corrupt (its CRC-32 or length does not match)");
            }
        }

        private void AddData(ReadOnlySpan<byte> data)
        {
            _crc.Append(data);
            _length += data.Length;
        }

        private void RememberTrailer(ReadOnlySpan<byte> data)
        {
            if (data.Length >= 8)
            {
                data[^8..].CopyTo(_trailer);
            }
            else
            {
                _trailer.AsSpan(data.Length).CopyTo(_trailer);
                data.CopyTo(_trailer.AsSpan(8 - data.Length));
            }
            _compressedLength += data.Length;
        }
    }

    private delegate void BytesRead(ReadOnlySpan<byte> data);

    /// <summary>A read-only stream that shows every byte read to an observer.</summary>
    private sealed class ObservedStream(Stream inner, BytesRead observer) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            observer(buffer[..n]);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            observer(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
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
    }
}
