using System.Diagnostics;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Clients;

/// <summary>One script of docs/api-recipes.md as written there, run by <c>bash</c> or <c>python3</c> in a folder of its own.</summary>
public sealed class Recipe : IDisposable
{
    private readonly string _language;
    private readonly string _script;

    public Recipe(string heading, string language)
    {
        _language = language;
        _script = Path.Combine(Folder, language == "bash" ? "recipe.sh" : "recipe.py");
        File.WriteAllText(_script, DocExamples.Block("docs/api-recipes.md", heading, language));
    }

    /// <summary>Where the script runs (and writes its files).</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("flowlens-recipe").FullName;

    /// <summary>Starts the script against FlowLens at <paramref name="url"/> with <paramref name="key"/>.</summary>
    public Process Start(string url, string key, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(_language == "bash" ? "bash" : "python3", [_script, .. arguments])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["FLOWLENS_URL"] = url, ["FLOWLENS_KEY"] = key },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>Runs the script to its end (a minute at most) and returns what it printed; fails unless it exits 0.</summary>
    public async Task<string> RunAsync(string url, string key, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        using var process = Start(url, key, environment, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_language} recipe still running after a minute:\n{await errors}");
        }
        Assert.True(process.ExitCode == 0, $"{_language} recipe exited {process.ExitCode}:\n{await errors}");
        return await output;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
