using System.Text;

namespace FlowLens.Core.Filters;

/// <summary>
/// The patterns of text context values (<c>instance-name = web-*</c>): <c>*</c> stands for any run of characters,
/// everything else for itself, case ignored.
/// </summary>
public static class Glob
{
    public static bool Matches(string pattern, string? text)
    {
        if (text is null)
        {
            return false;
        }
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return text.Equals(pattern, StringComparison.OrdinalIgnoreCase);
        }
        if (!text.StartsWith(parts[0], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = text.IndexOf(parts[i], at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }
            at = found + parts[i].Length;
        }
        return text.Length - at >= parts[^1].Length && text.EndsWith(parts[^1], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The pattern for SQL's <c>ilike</c> (with <c>\</c> as its escape: <c>%</c>, <c>_</c> and <c>\</c> stand for themselves).</summary>
    public static string ToLike(string pattern)
    {
        var like = new StringBuilder(pattern.Length + 4);
        foreach (var c in pattern)
        {
            like.Append(c switch
            {
                '*' => "%",
                '%' or '_' or '\\' => "\\" + c,
                _ => c.ToString(),
            });
        }
        return like.ToString();
    }
}
