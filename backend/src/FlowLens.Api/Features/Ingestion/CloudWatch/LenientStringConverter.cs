using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowLens.Api.Features.Ingestion.CloudWatch;

/// <summary>
/// Reads JSON strings as System.Text.Json does, except that an escaped lone surrogate (<c>"\ud800"</c>, which an event's
/// message may hold) is kept instead of failing the whole page: one event must not stop a log group's checkpoint, and
/// the line parser then rejects that event alone.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException) when (reader.TokenType == JsonTokenType.String)
        {
            return Unescape(Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>JSON's escapes undone, <c>\uXXXX</c> taken as the UTF-16 unit it names, paired or not (the reader has checked the syntax).</summary>
    private static string Unescape(string raw)
    {
        var text = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 == raw.Length)
            {
                text.Append(raw[i]);
                continue;
            }
            var c = raw[++i];
            if (c == 'u' && i + 4 < raw.Length)
            {
                text.Append((char)ushort.Parse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }
            text.Append(c switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => c });
        }
        return text.ToString();
    }
}
