using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Architecture;

/// <summary>
/// The layering, held by a test rather than by memory:
/// <list type="bullet">
/// <item>FlowLens.Core is pure: no ASP.NET, EF Core, Npgsql, Hangfire or AWS SDK.</item>
/// <item>A feature is a folder <c>Features/&lt;Name&gt;</c> (namespace <c>FlowLens.Api.Features.&lt;Name&gt;</c>, sub-folders
/// included). Features may use each other, but never in a cycle.</item>
/// <item>Features may use the code outside <c>Features/</c>. Shared code there (<c>Data/</c>, <c>Queries/</c>) uses no
/// feature; only Program.cs and <c>Hosting/</c>, which wire the features together, and the DbContext, which maps
/// their entities, may.</item>
/// </list>
/// References are read from the compiled assembly (signatures, attributes, method bodies) and from the source
/// (constants and <c>nameof</c>, which the compiler copies away), so a fully qualified name counts like a using.
/// </summary>
public sealed class ArchitectureTests(ITestOutputHelper output)
{
    private const string Features = "FlowLens.Api.Features.";

    /// <summary>Code outside Features/ that may name features: the wiring (Program.cs, Hosting/) and the DbContext with its migrations.</summary>
    private static readonly string[] MayUseFeatures = [".Program", "FlowLens.Api.Hosting.", "FlowLens.Api.Data.FlowLensDb", "FlowLens.Api.Data.Migrations."];

    private static readonly string[] NotInCore = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Npgsql", "Hangfire", "AWSSDK", "Amazon"];

    [Fact]
    public void Core_UsesNoFrameworkOrInfrastructure()
    {
        var (assemblies, types) = TypeReferences.External(typeof(FlowRecord).Assembly.Location);
        Assert.Contains("System.Runtime", assemblies); // the list is read
        Assert.DoesNotContain(assemblies, Forbidden);
        Assert.DoesNotContain(types, Forbidden);

        static bool Forbidden(string name) => NotInCore.Any(n => name.StartsWith(n, StringComparison.Ordinal));
    }

    [Slow] // compiles the API's source with Roslyn once (about 20 s of CPU)
    [Fact]
    public void Features_DependOnEachOther_WithoutCycles()
    {
        var graph = FeatureGraph();
        Assert.NotEmpty(graph.Edges); // the references are read
        output.WriteLine("Feature dependencies:\n" + string.Join("\n", graph.Edges.Select(e => $"  {e.From} -> {e.To} ({e.Example})")));
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "Features depend on each other in a cycle:\n" + string.Join("\n\n", cycles.Select(graph.Describe)));
    }

    [Slow] // compiles the API's source with Roslyn once (about 20 s of CPU)
    [Fact]
    public void Context_UsesNothingOfIngestion()
    {
        // Context reads the inventory (InventoryLookup), Ingestion fetches it (InventoryJob): one way only.
        var uses = FeatureGraph().Edges.Where(e => e.From == "Context" && e.To == "Ingestion").Select(e => e.Example).ToList();
        Assert.Empty(uses);
    }

    [Slow] // compiles the API's source with Roslyn once (about 20 s of CPU)
    [Fact]
    public void SharedCode_UsesNoFeature()
    {
        var uses = References()
            .Where(r => !r.FromNamespace.StartsWith(Features, StringComparison.Ordinal) && r.ToNamespace.StartsWith(Features, StringComparison.Ordinal))
            .Where(r => !MayUseFeatures.Any(m => r.From.StartsWith(m, StringComparison.Ordinal)))
            .Select(r => $"{r.From} uses {r.To}")
            .Order().ToList();
        Assert.Empty(uses);
    }

    [Slow] // compiles the API's source with Roslyn once (about 20 s of CPU)
    [Fact]
    public void References_IncludeFullyQualifiedNamesAndConstants()
    {
        var references = References();
        // Program.cs names MapAudit through a using; AuditApi asks for Policies.Admin, a constant the compiler copies.
        Assert.Contains(references, r => r.From == ".Program" && r.To == $"{Features}Audit.AuditApi");
        Assert.Contains(references, r => r.From == $"{Features}Audit.AuditApi" && r.To == $"{Features}Auth.Policies");
    }

    [Fact]
    public void Cycles_AreFound_WithAnExampleForEachEdge()
    {
        var graph = new DependencyGraph();
        graph.Add("A", "B", "A.X uses B.Y");
        graph.Add("B", "C", "B.Y uses C.Z");
        graph.Add("C", "A", "C.Z uses A.X");
        graph.Add("C", "D", "C.Z uses D.W");
        graph.Add("D", "D", "D.W uses D.V");
        graph.Add("B", "A", "B.V uses A.X");

        var cycles = graph.Cycles();

        Assert.Equal(["A B A", "A B C A"], cycles.Select(c => string.Join(" ", c)).Order());
        Assert.Equal("  A -> B (A.X uses B.Y)\n  B -> C (B.Y uses C.Z)\n  C -> A (C.Z uses A.X)", graph.Describe(cycles.Single(c => c.Count == 4)));
    }

    [Fact]
    public void Cycles_AreNone_InALayeredGraph()
    {
        var graph = new DependencyGraph();
        graph.Add("A", "B", "");
        graph.Add("A", "C", "");
        graph.Add("B", "C", "");
        Assert.Empty(graph.Cycles());
    }

    private static DependencyGraph FeatureGraph()
    {
        var graph = new DependencyGraph();
        foreach (var r in References().Where(r => FeatureOf(r.FromNamespace) is not null && FeatureOf(r.ToNamespace) is not null))
        {
            graph.Add(FeatureOf(r.FromNamespace)!, FeatureOf(r.ToNamespace)!, $"{r.From} uses {r.To}");
        }
        return graph;
    }

    /// <summary><c>FlowLens.Api.Features.Ingestion.CloudWatch</c> is part of Ingestion.</summary>
    private static string? FeatureOf(string ns) => ns.StartsWith(Features, StringComparison.Ordinal) ? ns[Features.Length..].Split('.')[0] : null;

    private static IReadOnlyList<TypeReference> References() => Cached.Value;

    private static readonly Lazy<IReadOnlyList<TypeReference>> Cached = new(() =>
        [.. TypeReferences.Within(typeof(Program).Assembly.Location)
            .Concat(SourceReferences.Within(Repository.PathOf("backend/src/FlowLens.Api"), "FlowLens.Api"))
            .Distinct()]);
}
