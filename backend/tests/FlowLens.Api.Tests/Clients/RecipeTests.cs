using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Clients;

/// <summary>A real FlowLens process on a database of its own, its directory source holding <see cref="KnownFlows"/>, ingested.</summary>
public sealed class RecipeFlowLens(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();
    private long _sourceId;
    private int _objects;

    public FlowLensProcess Node { get; private set; } = null!;

    public KnownFlows Flows { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Node = await FlowLensProcess.StartAsync(await postgres.CreateDatabaseAsync(), _folder.Root);
        _sourceId = await Node.CreateDirectorySourceAsync(_folder.Root);
        await AddObjectAsync(Flows.WriteTo);
    }

    /// <summary>Writes one more object into the source's folder and waits until FlowLens has stored it.</summary>
    public async Task AddObjectAsync(Action<FlowLogFolder> write)
    {
        write(_folder);
        await Node.CreateClient().PostAsync($"/api/sources/{_sourceId}/sync", null);
        await Node.WaitUntilIdleAsync(_sourceId, expectedObjects: ++_objects);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>Each script of docs/api-recipes.md, in bash + curl and in Python, as written there, against a real FlowLens.</summary>
[Slow]
public sealed class RecipeTests(RecipeFlowLens flowLens) : IClassFixture<RecipeFlowLens>
{
    private FlowLensProcess Node => flowLens.Node;

    private KnownFlows Flows => flowLens.Flows;

    [Theory]
    [InlineData("bash")]
    [InlineData("python")]
    public async Task PullRejects_WritesEachRejectOnce_ThoughKilledMidWay_AndLateOnesToo(string language)
    {
        var ct = TestContext.Current.CancellationToken;
        using var recipe = new Recipe("## Pull REJECTs as NDJSON, and resume after a restart", language);
        var output = Path.Combine(recipe.Folder, "rejects.ndjson");
        // The first run starts an hour back: the known flows were stored a while ago, by the class's fixture.
        var environment = new Dictionary<string, string> { ["FROM"] = "now-1h" };

        // A run killed while it waits for its second page: FlowLens answers the first call, never the second.
        using (var forward = new HttpClient { BaseAddress = new Uri(Node.Url) })
        await using (var proxy = await HttpStub.StartAsync(async (context, n) =>
        {
            if (n > 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return;
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{context.Request.Path}{context.Request.QueryString}");
            request.Headers.Add("X-Api-Key", context.Request.Headers["X-Api-Key"].ToString());
            using var answer = await forward.SendAsync(request);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = "application/json";
            await answer.Content.CopyToAsync(context.Response.Body);
        }))
        {
            using var run = recipe.Start(proxy.Url.TrimEnd('/'), FlowLensApp.AdminKey, environment);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (proxy.Requests < 2 && !run.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }
            Assert.True(proxy.Requests == 2, $"{proxy.Requests} calls; exited: {run.HasExited} {await (run.HasExited ? run.StandardError.ReadToEndAsync(ct) : Task.FromResult(""))}");
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync(ct);
        }
        Assert.Equal(1000, File.ReadAllLines(output).Length);
        // As if it had been killed after writing a page but before saving the state: that page comes again.
        File.AppendAllLines(output, File.ReadAllLines(output).Take(10));

        // Meanwhile REJECTs of three hours ago arrive: late, for a time long past.
        var late = Flows.Now.AddHours(-3);
        await flowLens.AddObjectAsync(folder => folder.WriteGzip($"late-{language}.log.gz", KnownFlows.Header + "\n" + string.Join('\n',
            Enumerable.Range(0, 30).Select(i => KnownFlows.Line($"192.0.2.{i + 1}", "10.0.1.9", 60000 + i, 3389, 1, 60, late, "REJECT"))) + "\n"));

        // The restart goes on from the saved cursor; runs after it, every few seconds here, bring what is new. (The
        // feed may lag while another test's transaction runs on the shared test cluster: a minute at most.)
        var lateDeadline = DateTime.UtcNow.AddMinutes(1);
        List<JsonElement> flows;
        do
        {
            await recipe.RunAsync(Node.Url, FlowLensApp.AdminKey, environment);
            flows = [.. File.ReadAllLines(output).Select(line => JsonDocument.Parse(line).RootElement)];
        }
        while (flows.Count(f => f.GetProperty("start").GetDateTimeOffset() == late) < 30 && DateTime.UtcNow < lateDeadline);

        // Every REJECT stored, once: the same as a search over the whole day finds.
        var search = (await Node.CreateClient().GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?from=now-1d&limit=10000&q={Uri.EscapeDataString("action = REJECT")}", ct))!;
        Assert.Null(search.NextCursor);
        Assert.All(flows, f => Assert.Equal("REJECT", f.GetProperty("action").GetString()));
        Assert.Equal(search.Items.Select(f => (f.ObjectId, f.Line)).Order(),
            flows.Select(f => (f.GetProperty("objectId").GetInt64(), f.GetProperty("line").GetInt32())).Order());
        Assert.Contains(flows, f => f.GetProperty("srcPort").GetInt32() == 60000 + 29);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("python")]
    public async Task EverythingAnAddressDid_PrintsItsTotals_AndEachFlowOfTheWindow(string language)
    {
        using var recipe = new Recipe("## Everything an address did in a window", language);

        var lines = (await recipe.RunAsync(Node.Url, FlowLensApp.AdminKey, null, KnownFlows.Address, "1")).TrimEnd('\n').Split('\n');

        var expected = Flows.AddressFlows;
        Assert.Equal($"flows 3 bytes {expected.Sum(f => f.Bytes)} rejected 1", lines[0]);
        var printed = lines[1..].Select(line => line.Split('\t')).ToList();
        Assert.Equal(
            expected.Reverse().Select(f => $"{f.Start.ToUnixTimeSeconds()} {f.SrcAddr} {f.SrcPort} {f.DstAddr} {f.DstPort} 6 {f.Action} {f.Bytes}"),
            printed.Select(p => $"{DateTimeOffset.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds()} {string.Join(' ', p[1..])}"));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("python")]
    public async Task TopTalkersOfASubnet_PrintsItsSendersByBytes(string language)
    {
        using var recipe = new Recipe("## Top talkers of a subnet", language);

        var output = await recipe.RunAsync(Node.Url, FlowLensApp.AdminKey, null, KnownFlows.Subnet);

        Assert.Equal(KnownFlows.Talkers.Select(t => $"{t.Key}\t{t.Bytes}\t{t.Flows}\t{t.Rejected}\n"), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n"));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("python")]
    public async Task ViewerKey_IsCreated_ReadsFlows_AndMayNotChangeAnything(string language)
    {
        using var recipe = new Recipe("## Create a viewer key for a tool", language);
        var name = $"siem-{language}";

        var secret = (await recipe.RunAsync(Node.Url, FlowLensApp.AdminKey, null, name)).Trim();

        using var tool = new HttpClient { BaseAddress = new Uri(Node.Url) };
        tool.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(System.Net.HttpStatusCode.OK, (await tool.GetAsync("/api/flows?from=now-1h", ct)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await tool.PostAsJsonAsync("/api/keys", new { name = "more", role = "admin" }, ct)).StatusCode);
        var key = (await Node.CreateClient().GetFromJsonAsync<JsonElement>("/api/keys", ct)).EnumerateArray().Single(k => k.GetProperty("name").GetString() == name);
        Assert.Equal("viewer", key.GetProperty("role").GetString());
        Assert.InRange(key.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(89), DateTimeOffset.UtcNow.AddDays(91));
        // A wrong key is refused, as the recipe's closing line says.
        tool.DefaultRequestHeaders.Remove("X-Api-Key");
        tool.DefaultRequestHeaders.Add("X-Api-Key", secret + "x");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await tool.GetAsync("/api/flows", ct)).StatusCode);
    }
}
