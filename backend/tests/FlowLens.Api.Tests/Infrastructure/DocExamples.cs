using System.Text.Json;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// The JSON examples the docs show (and the code they give), read from the repository so a test can hold them to what FlowLens sends: the
/// same fields, nested the same way, with values of the same kinds (the values themselves are illustrations).
/// </summary>
public static class DocExamples
{
    /// <summary>The first <c>```json</c> block after the heading <paramref name="heading"/> of the doc at <paramref name="doc"/> (from the repository's root).</summary>
    public static JsonDocument Json(string doc, string heading) => JsonDocument.Parse(Block(doc, heading, "json"));

    /// <summary>The text of the first <c>```language</c> block after the heading <paramref name="heading"/> of the doc at <paramref name="doc"/>.</summary>
    public static string Block(string doc, string heading, string language)
    {
        var text = File.ReadAllText(Repository.PathOf(doc)).ReplaceLineEndings("\n");
        var at = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(at >= 0, $"{doc} has no heading '{heading}'");
        var fence = $"```{language}\n";
        var start = text.IndexOf(fence, at, StringComparison.Ordinal);
        var next = text.IndexOf("\n## ", at + 1, StringComparison.Ordinal); // the next section
        Assert.True(start >= 0 && (next < 0 || start < next), $"{doc} has no {language} block under '{heading}'");
        start += fence.Length;
        return text[start..(text.IndexOf("\n```", start, StringComparison.Ordinal) + 1)];
    }

    /// <summary>Every field's path and kind of value, sorted (an array's items as <c>[]</c>).</summary>
    public static List<string> Shape(JsonElement element)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}");
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, path + "[]");
                    }
                    break;
                default:
                    paths.Add($"{path}: {(e.ValueKind is JsonValueKind.True or JsonValueKind.False ? "boolean" : e.ValueKind.ToString().ToLowerInvariant())}");
                    break;
            }
        }
        Walk(element, "");
        return [.. paths];
    }
}
