using System.Text.Json;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// The JSON examples the docs show, read from the repository so a test can hold them to what FlowLens sends: the
/// same fields, nested the same way, with values of the same kinds (the values themselves are illustrations).
/// </summary>
public static class DocExamples
{
    /// <summary>The first <c>```json</c> block after the heading <paramref name="heading"/> of the doc at <paramref name="doc"/> (from the repository's root).</summary>
    public static JsonDocument Json(string doc, string heading)
    {
        var text = File.ReadAllText(Repository.PathOf(doc)).ReplaceLineEndings("\n");
        var at = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(at >= 0, $"{doc} has no heading '{heading}'");
        var start = text.IndexOf("```json\n", at, StringComparison.Ordinal) + "```json\n".Length;
        return JsonDocument.Parse(text[start..text.IndexOf("\n```", start, StringComparison.Ordinal)]);
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
