using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>An HTTP server on a loopback port that answers every request with <c>answer</c> (given the request's number).</summary>
public sealed class HttpStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HttpStub(WebApplication app, int port) => (_app, Port) = (app, port);

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public int Requests => _requests;

    public static async Task<HttpStub> StartAsync(Func<HttpContext, int, Task> answer)
    {
        // A stub stands in for an AWS endpoint: FlowLens signs with the emulators' keys, from the environment.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3Server.Key);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3Server.Key);
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var stub = new HttpStub(app, port);
        app.Run(context => answer(context, Interlocked.Increment(ref stub._requests)));
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
