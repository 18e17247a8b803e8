using System.Net.Http.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>Links that whoever can write in a directory source's folder could plant, made for real in temporary folders.</summary>
public sealed class DirectorySymlinkTests(PostgresFixture postgres) : IDisposable
{
    private static readonly string Header = FlowLogText.Header(FlowLogFormat.Default);
    private static readonly long Start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
    private readonly FlowLogFolder _folder = new();
    private readonly string _outside = Directory.CreateTempSubdirectory("flowlens-outside").FullName;

    private static string Lines(int count, string eni) => Header + "\n" + string.Join('\n', Enumerable.Range(0, count).Select(i =>
        $"2 123456789010 {eni} 10.0.0.{i + 1} 10.1.0.2 {i} 443 6 10 840 {Start} {Start + 60} ACCEPT OK"));

    private void Link(string path, string target)
    {
        var full = Path.Combine(_folder.Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.CreateSymbolicLink(full, target);
    }

    [Fact]
    public async Task LinksOutOfTheRoot_AreNeitherListedNorRead_NorShownInSamples()
    {
        _folder.WriteGzip("in/good.log.gz", Lines(5, "eni-inside"));
        // Outside: flow lines (which would be stored) and a secret (which would show in sampleErrors as a bad line).
        Directory.CreateDirectory(Path.Combine(_outside, "logs"));
        File.WriteAllText(Path.Combine(_outside, "logs", "other.log"), Lines(7, "eni-outside") + "\nTOP-SECRET password=hunter2\n");
        File.WriteAllText(Path.Combine(_outside, "secret.log"), "TOP-SECRET password=hunter2\n");
        Link("in/secret.log", Path.Combine(_outside, "secret.log"));
        Link("in/relative.log", "../../" + Path.GetFileName(_outside) + "/secret.log");
        Link("linked-folder", Path.Combine(_outside, "logs"));
        Link("in/up", "../..");
        Link("in/chain.log", Path.Combine(_folder.Root, "linked-folder", "other.log"));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);

        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken);
        Assert.Equal(["in/good.log.gz"], page!.Items.Select(i => i.Key));
        Assert.DoesNotContain(page.Items.SelectMany(i => i.SampleErrors), e => e.Text.Contains("TOP-SECRET"));
        Assert.Equal(5L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_strings where value = 'eni-outside'"));
    }

    [Fact]
    public async Task LinkLoops_NeitherHangNorFailTheRun_AndLinksInsideAreReadOnce()
    {
        _folder.WriteGzip("a/good.log.gz", Lines(4, "eni-a"));
        Link("a/self", ".");
        Link("a/parent", "..");
        Link("b/loop1.log", Path.Combine(_folder.Root, "b", "loop2.log"));
        Link("b/loop2.log", Path.Combine(_folder.Root, "b", "loop1.log"));
        Link("b/alias.log.gz", Path.Combine(_folder.Root, "a", "good.log.gz"));
        Link("b/dangling.log", Path.Combine(_folder.Root, "nowhere.log"));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);

        var run = app.IngestAsync(sourceId);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)));
        await run;

        var source = await app.GetSourceAsync(sourceId);
        Assert.Equal((SourceStates.Idle, (string?)null, 1L), (source.Status.State, source.Status.LastError, source.Status.ObjectsIngested));
        Assert.Equal(4L, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    [Fact]
    public async Task AFifoNamedLikeALog_DoesNotBlockTheRun()
    {
        _folder.WriteGzip("a/good.log.gz", Lines(3, "eni-a"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(_folder.Root, "a", "pipe.log")))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);

        var run = app.IngestAsync(sourceId);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)));
        await run;

        Assert.Equal(SourceStates.Idle, (await app.GetSourceAsync(sourceId)).Status.State);
        Assert.Equal(3L, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    [Fact]
    public async Task ASourceFolder_ThatIsALinkOutOfTheRoots_IsRefused()
    {
        Link("escape", _outside);
        await using var app = await postgres.StartAppAsync(_folder.Allow);

        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources",
            new { name = "escape", kind = "directory", directory = new { path = Path.Combine(_folder.Root, "escape") } },
            TestContext.Current.CancellationToken);

        await ProblemAssert.IsBadParameterAsync(response, "directory.path");
    }

    public void Dispose()
    {
        _folder.Dispose();
        Directory.Delete(_outside, recursive: true);
    }
}
