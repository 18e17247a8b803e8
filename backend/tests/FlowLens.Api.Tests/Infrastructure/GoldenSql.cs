using FlowLens.Api.Queries;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A query FlowLens builds, kept as a golden <c>.sql</c> file: a comment naming the planning path and its inputs,
/// the exact SQL text sent, and a comment with the <c>$n</c> parameters.
/// </summary>
public static class GoldenSql
{
    private const string ParametersLine = "-- parameters: ";

    /// <summary>Fails unless the file holds this query; <see cref="GoldenFile"/> rewrites it on request.</summary>
    public static void Assert(string relativePath, string about, string sql, IReadOnlyList<object> parameters) =>
        GoldenFile.Assert(relativePath, $"-- {about}\n{sql}\n" + (parameters.Count > 0 ? ParametersLine + QueryDatabase.Describe(parameters) + "\n" : ""));

    /// <summary>The SQL text of a golden file, without its comment lines.</summary>
    public static string SqlOf(string relativePath)
    {
        var lines = File.ReadAllText(Repository.PathOf(relativePath)).ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        return string.Join('\n', lines.Skip(1).Where((line, i) => i < lines.Length - 2 || !line.StartsWith(ParametersLine, StringComparison.Ordinal)));
    }

    /// <summary>Runs a query to its last row through the executor the endpoints use, so that a golden file cannot hold SQL that does not run.</summary>
    public static async Task RunAsync(FlowLensApp app, string sql, IReadOnlyList<object> parameters)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var reader = await app.Services.GetRequiredService<QueryDatabase>().ReadAsync(new DefaultHttpContext(), sql, parameters, ct);
        while (await reader.ReadAsync(ct))
        {
        }
    }
}
