using System.Globalization;

namespace FlowLens.Bench;

/// <summary>A benchmark's command line: an optional leading count, then <c>--name value</c> options and <c>--flag</c>s.</summary>
internal sealed class BenchArgs(string[] args)
{
    public long Count(long fallback) => args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? long.Parse(args[0], CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => Array.IndexOf(args, "--" + name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;

    public int Number(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public bool Flag(string name) => args.Contains("--" + name);

    /// <summary>The machine's load averages over 1, 5 and 15 minutes, as <c>uptime</c> prints them.</summary>
    public static string Load() => "load " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
