using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Features.Sources;
using FlowLens.Core.Synthetic;
using Microsoft.AspNetCore.Hosting;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>A temporary folder of flow log files, allowed as a directory-source root, deleted at the end.</summary>
public sealed class FlowLogFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("flowlens-logs").FullName;

    /// <summary>Lets the app read this folder (FlowLens:Sources:DirectoryRoots).</summary>
    public void Allow(IWebHostBuilder builder) => builder.UseSetting("FlowLens:Sources:DirectoryRoots:0", Root);

    /// <summary>Synthetic gzip objects of yesterday, in the S3 layout.</summary>
    public IReadOnlyList<string> WriteDay(int files, int recordsPerFile, int seed = 1) =>
        SyntheticFlowLogFiles.WriteDay(Root, DateTimeOffset.UtcNow.Date.AddDays(-1), files, recordsPerFile, seed);

    public void WriteGzip(string name, string text) => WriteGzip(name, Encoding.UTF8.GetBytes(text));

    public void WriteGzip(string name, byte[] data)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(data);
    }

    public void WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Creates a directory source over this folder through the API; returns its id.</summary>
    public async Task<long> CreateSourceAsync(FlowLensApp app, string name = "logs")
    {
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources",
            new { name, kind = "directory", directory = new { path = Root } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>())!.Id;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
