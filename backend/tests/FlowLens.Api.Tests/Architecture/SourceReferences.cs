using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FlowLens.Api.Tests.Architecture;

/// <summary>
/// Reads the references between the types of a project from its source, compiled with Roslyn: the compiled assembly
/// keeps no trace of a constant (<c>Policies.Admin</c>), an enum member used as a number or a <c>nameof</c>.
/// </summary>
public static class SourceReferences
{
    public static IReadOnlyList<TypeReference> Within(string projectDirectory, string assemblyName)
    {
        var files = Directory.GetFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || f.EndsWith(".GlobalUsings.g.cs", StringComparison.Ordinal))
            .GroupBy(f => f.EndsWith(".GlobalUsings.g.cs", StringComparison.Ordinal) ? "global usings" : f) // one per configuration
            .Select(g => g.First());
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileNameWithoutExtension(p) != assemblyName)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(assemblyName, trees, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var found = new HashSet<TypeReference>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            // Without its source generators (regular expressions, logging) the project lacks only their partial members;
            // any other error would mean names that did not resolve, and references missed.
            var errors = model.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").ToList();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"The source of {assemblyName} does not compile here:\n{string.Join("\n", errors.Take(20))}");
            }
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name).Symbol;
                var used = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
                var user = model.GetEnclosingSymbol(name.SpanStart) is { } enclosing
                    ? enclosing as INamedTypeSymbol ?? enclosing.ContainingType
                    : null;
                if (used is null || user is null || !SymbolEqualityComparer.Default.Equals(used.ContainingAssembly, compilation.Assembly))
                {
                    continue;
                }
                (used, user) = (Outermost(used.OriginalDefinition), Outermost(user));
                if (!SymbolEqualityComparer.Default.Equals(used, user))
                {
                    found.Add(new TypeReference(Name(user), Name(used), Namespace(user), Namespace(used)));
                }
            }
        }
        return [.. found];
    }

    private static INamedTypeSymbol Outermost(INamedTypeSymbol type)
    {
        while (type.ContainingType is { } outer)
        {
            type = outer;
        }
        return type;
    }

    private static string Namespace(INamedTypeSymbol type) => type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();

    private static string Name(INamedTypeSymbol type) => $"{Namespace(type)}.{type.Name}";
}
