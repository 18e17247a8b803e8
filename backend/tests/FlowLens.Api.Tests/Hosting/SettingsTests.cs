using System.Reflection;
using System.Text.RegularExpressions;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>
/// The settings that the deployment files and the README name are settings FlowLens has: a renamed option cannot
/// leave docker-compose.yml, the local scripts or the documentation quietly pointing at nothing.
/// </summary>
public sealed partial class SettingsTests
{
    private static readonly string Root = FindRoot();

    /// <summary>Every key FlowLens reads: each options class's properties under its section, and a few fixed ones.</summary>
    private static HashSet<string> KnownKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ConnectionStrings:FlowLens", "ASPNETCORE_URLS", "Serilog:MinimumLevel:Default" };
        var optionTypes = typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string))
            .Where(t => t.Section?.StartsWith("FlowLens:", StringComparison.Ordinal) == true);
        foreach (var (type, section) in optionTypes)
        {
            Add(keys, type, section!);
        }
        return keys;
    }

    private static void Add(HashSet<string> keys, Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = $"{prefix}:{property.Name}";
            keys.Add(key);
            if (property.PropertyType.IsClass && property.PropertyType != typeof(string) && !property.PropertyType.IsGenericType)
            {
                Add(keys, property.PropertyType, key);
            }
        }
    }

    public static TheoryData<string> Files => new() { "docker-compose.yml", "deploy/local/run.sh", "README.md", "deploy/Dockerfile" };

    [Theory]
    [MemberData(nameof(Files))]
    public void EverySettingAFileNames_IsOneFlowLensReads(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));
        var named = Setting().Matches(text).Select(m => m.Value.Replace("__", ":"))
            .Select(k => ListIndex().Replace(k, "")) // DirectoryRoots:0 is the list DirectoryRoots
            .Distinct().ToList();
        var known = KnownKeys();
        Assert.DoesNotContain(named, k => !known.Contains(k));
        if (file is "docker-compose.yml" or "README.md")
        {
            Assert.Contains("ConnectionStrings:FlowLens", named);
        }
    }

    [Fact]
    public void TheReadmeDocuments_EveryFlowLensSetting()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var undocumented = KnownKeys().Where(k => k.StartsWith("FlowLens:", StringComparison.Ordinal))
            // Settings documented as a group (`FlowLens:Auth:Oidc:Authority`, `:ClientId`, ...) count by their last part.
            .Where(k => !readme.Contains(k, StringComparison.Ordinal) && !readme.Contains($"`:{k.Split(':')[^1]}`", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(undocumented);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FlowLens.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("FlowLens.sln not found above the test binaries");
    }

    [GeneratedRegex(@"\b(?:FlowLens|ConnectionStrings)(?:__|:)[A-Za-z0-9_:]+[A-Za-z0-9]")]
    private static partial Regex Setting();

    [GeneratedRegex(@"(:\d+)+$")]
    private static partial Regex ListIndex();
}
