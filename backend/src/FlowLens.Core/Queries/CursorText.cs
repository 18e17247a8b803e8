using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace FlowLens.Core.Queries;

/// <summary>A cursor as clients see it: its parts joined by dots, in base64url, opaque.</summary>
internal static class CursorText
{
    public static string Encode(params object[] parts) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Join('.', parts.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture)))));

    /// <summary>The parts of <paramref name="text"/>, or none when it is not base64url.</summary>
    public static string[] Decode(string? text)
    {
        try
        {
            return Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
        }
        catch (FormatException)
        {
            return [];
        }
    }

    /// <summary>A whole number as the cursor writes it (digits only).</summary>
    public static bool Number(string text, out long value) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
