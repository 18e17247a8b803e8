namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>The repository checkout the tests run from, found by walking up to FlowLens.sln.</summary>
public static class Repository
{
    public static readonly string Root = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

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
}

/// <summary>
/// Text kept in the repository that a test compares what FlowLens produces with (schema, SQL, OpenAPI), so a
/// change shows as a readable diff. <c>FLOWLENS_UPDATE_GOLDEN=1 dotnet test …</c> rewrites the files instead.
/// </summary>
public static class GoldenFile
{
    public static bool Updating => Environment.GetEnvironmentVariable("FLOWLENS_UPDATE_GOLDEN") == "1";

    /// <summary>Fails unless the file at <paramref name="relativePath"/> holds exactly <paramref name="actual"/>.</summary>
    public static void Assert(string relativePath, string actual)
    {
        var path = Repository.PathOf(relativePath);
        actual = actual.ReplaceLineEndings("\n");
        if (!actual.EndsWith('\n'))
        {
            actual += "\n";
        }
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        if (expected != actual)
        {
            throw new Xunit.Sdk.XunitException(
                $"{relativePath} is {(expected is null ? "missing" : "stale")}. If the change is intended, run the test " +
                $"again with FLOWLENS_UPDATE_GOLDEN=1 and commit the rewritten file.\n--- expected\n{expected}\n--- actual\n{actual}");
        }
    }
}
