using System.Reflection;
using System.Text.RegularExpressions;
using FlowLens.Api.Features.Settings;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>
/// The settings that the deployment files and the README name are settings FlowLens has: a renamed option cannot
/// leave docker-compose.yml, the local scripts or the documentation quietly pointing at nothing. The same goes for the
/// Helm chart's values, the Terraform's flow log format and the source bodies the deployment files send.
/// </summary>
public sealed partial class SettingsTests
{
    private static readonly string Root = Repository.Root;

    /// <summary>Every key FlowLens reads: each options class's properties under its section, and a few fixed ones.</summary>
    private static HashSet<string> KnownKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ConnectionStrings:FlowLens", "ASPNETCORE_URLS", "Serilog:MinimumLevel:Default" };
        foreach (var (type, section) in SettingsApi.OptionsClasses())
        {
            Add(keys, type, section);
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
            // A list of objects (Oidc:ScopedViewers:0:Value): its items' settings, named without the index.
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>)
                && property.PropertyType.GetGenericArguments()[0] is { IsClass: true } item && item != typeof(string))
            {
                Add(keys, item, key);
            }
        }
    }

    public static TheoryData<string> Files => new()
    {
        "docker-compose.yml", "deploy/local/run.sh", "README.md", "deploy/Dockerfile", "docs/deployment.md",
        "deploy/helm/flowlens/values.yaml", "deploy/helm/flowlens/README.md", "deploy/helm/flowlens/templates/_helpers.tpl",
        "deploy/helm/flowlens/templates/secret.yaml", "deploy/helm/flowlens/templates/NOTES.txt",
        "deploy/terraform/README.md", "deploy/terraform/outputs.tf",
    };

    /// <summary>Files that name no FlowLens setting today: a setting added there must be checked like the others.</summary>
    private static readonly string[] FilesWithoutSettings = ["deploy/Dockerfile", "deploy/terraform/outputs.tf"];

    /// <summary>Files that must give FlowLens its connection string.</summary>
    private static readonly string[] ConnectionStringFiles =
        ["docker-compose.yml", "README.md", "deploy/helm/flowlens/templates/secret.yaml", "deploy/helm/flowlens/README.md"];

    [Theory]
    [MemberData(nameof(Files))]
    public void EverySettingAFileNames_IsOneFlowLensReads(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));
        var named = Setting().Matches(text).Select(m => m.Value.Replace("__", ":"))
            .Select(k => ListIndex().Replace(k, "")) // DirectoryRoots:0 is the list DirectoryRoots
            .Distinct().ToList();
        var known = KnownKeys();
        // A pattern that matched nothing would prove nothing.
        Assert.Equal(FilesWithoutSettings.Contains(file), named.Count == 0);
        Assert.DoesNotContain(named, k => !known.Contains(k));
        if (ConnectionStringFiles.Contains(file))
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

    private const string Chart = "deploy/helm/flowlens";

    [Fact]
    public void EveryValueTheChartTemplatesUse_IsInValuesYaml()
    {
        var defined = ValuesPaths();
        var used = Directory.GetFiles(Path.Combine(Root, Chart, "templates"))
            .SelectMany(f => ValuesReference().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetFileName(f)}: {m.Groups[1].Value[1..]}"))
            .Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.DoesNotContain(used, u => !defined.Contains(u.Split(": ")[1]));
    }

    [Fact]
    public void TheChartReadme_DocumentsEveryValue()
    {
        var readme = File.ReadAllText(Path.Combine(Root, Chart, "README.md"));
        var defined = ValuesPaths();
        // A leaf counts as documented when it or a map above it is named in backquotes (`web.resources` covers its limits).
        var leaves = defined.Where(p => !defined.Any(q => q.StartsWith(p + ".", StringComparison.Ordinal)));
        var undocumented = leaves.Where(leaf => !Ancestors(leaf).Any(a => readme.Contains($"`{a}`", StringComparison.Ordinal))).ToList();
        Assert.Empty(undocumented);

        static IEnumerable<string> Ancestors(string path)
        {
            for (var end = path.Length; end > 0; end = path.LastIndexOf('.', end - 1))
            {
                yield return path[..end];
            }
        }
    }

    /// <summary>The key paths of the chart's values.yaml (<c>web.resources.limits.memory</c>), found by indentation.</summary>
    private static HashSet<string> ValuesPaths()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<(int Indent, string Key)>();
        foreach (var line in File.ReadLines(Path.Combine(Root, Chart, "values.yaml")))
        {
            var match = YamlKey().Match(line);
            if (!match.Success)
            {
                continue; // blank lines, comments, list items
            }
            var indent = match.Groups[1].Length;
            stack.RemoveAll(s => s.Indent >= indent);
            stack.Add((indent, match.Groups[2].Value));
            paths.Add(string.Join('.', stack.Select(s => s.Key)));
        }
        return paths;
    }

    [Fact]
    public void TheTerraformLogFormat_HasEveryFieldFlowLensReads()
    {
        var variables = File.ReadAllText(Path.Combine(Root, "deploy/terraform/variables.tf"));
        var block = variables[variables.IndexOf("variable \"log_format\"", StringComparison.Ordinal)..];
        var fields = TerraformField().Matches(block[..block.IndexOf("\n}", StringComparison.Ordinal)]).Select(m => m.Groups[1].Value);
        // A VPC flow log: every field but Transit Gateway flow logs' own.
        Assert.Equal(FlowLens.Core.FlowLogs.FlowFields.All.Where(f => !FlowLens.Core.FlowLogs.FlowFields.IsTransitGatewayOnly(f.Field)).Select(f => f.Name), fields);
    }

    [Fact]
    public void TheComposeDemoSource_IsOneTheApiAccepts()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        var json = ComposeSourceJson().Match(compose);
        Assert.True(json.Success, "docker-compose.yml has no source JSON for demo-source.mjs");
        var request = System.Text.Json.JsonSerializer.Deserialize<FlowLens.Api.Features.Sources.SourceRequest>(
            json.Groups[1].Value, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })!;
        Assert.Equal("s3", request.Kind);
        var allowed = System.Text.RegularExpressions.Regex.Match(compose, @"FlowLens__Sources__AllowedEndpoints__0: (\S+)");
        Assert.True(allowed.Success, "docker-compose.yml does not allow the demo's endpoint");
        var options = new FlowLens.Api.Features.Ingestion.SourcesOptions { AllowedEndpoints = [allowed.Groups[1].Value] };
        Assert.Empty(FlowLens.Api.Features.Sources.SourceValidation.Validate(request, options,
            new FlowLens.Api.Features.Ingestion.SourceEndpoints(Microsoft.Extensions.Options.Options.Create(options))));
    }

    [Theory]
    [InlineData("deploy/terraform/outputs.tf")]
    public void TheSourceBodiesADeployFileMakes_NameOnlyS3Settings(string file)
    {
        var text = StringLiteral().Replace(File.ReadAllText(Path.Combine(Root, file)), "");
        var body = S3Object().Match(text);
        Assert.True(body.Success, $"{file} has no s3 object");
        static List<string> Properties(Type type) => [.. type.GetProperties().Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..])];
        static List<string> Keys(string body) => [.. ObjectKey().Matches(body).Select(m => m.Groups[1].Value)];
        var keys = Keys(NestedObject().Replace(body.Groups[1].Value, "null"));
        Assert.Contains("bucket", keys);
        Assert.DoesNotContain(keys, k => !Properties(typeof(FlowLens.Api.Features.Ingestion.S3Settings)).Contains(k));
        // The queue's settings, when the file names them.
        var queue = NestedObject().Match(body.Groups[1].Value);
        Assert.True(!queue.Success || Keys(queue.Groups[1].Value) is var queueKeys && queueKeys.Contains("queueUrl")
            && queueKeys.All(Properties(typeof(FlowLens.Api.Features.Ingestion.S3QueueSettings)).Contains), $"{file}: {queue.Value}");
    }

    [GeneratedRegex(@"\b(?:FlowLens|ConnectionStrings)(?:__|:)[A-Za-z0-9_:]+[A-Za-z0-9]")]
    private static partial Regex Setting();

    [GeneratedRegex(@"- '(\{""name"".*\})'")]
    private static partial Regex ComposeSourceJson();

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex ListIndex();

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"^( *)([A-Za-z0-9_.-]+):(?:\s|$)")]
    private static partial Regex YamlKey();

    [GeneratedRegex(@"\$\$\{([a-z0-9-]+)\}")]
    private static partial Regex TerraformField();

    [GeneratedRegex(@"'[^'\n]*'|""[^""\n]*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\bs3\s*[:=]\s*\{((?:[^{}]|\{[^{}]*\})*)\}")]
    private static partial Regex S3Object();

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex NestedObject();

    // A key starts the object, a line or an entry (after '{', a newline or ','); a value follows ':' or '=' instead.
    [GeneratedRegex(@"(?:^|[{,\n])\s*([A-Za-z]\w*)\s*(?=[:=,}\n])")]
    private static partial Regex ObjectKey();
}
