using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// The s3rver S3 emulator (npm, installed in backend/tests/s3rver by deploy/local/test.sh) on a free loopback
/// port, with one bucket; stopped and its data deleted on dispose.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    /// <summary>
    /// s3rver's fixed access key and secret. FlowLens takes credentials from the SDK's default chain (here: the
    /// environment, one per test process), so every AWS emulator in the tests uses these.
    /// </summary>
    public const string Key = "S3RVER";

    private readonly Process _process;
    private readonly string _directory;

    private S3Server(Process process, string directory, string url, string bucket) =>
        (_process, _directory, Url, Bucket) = (process, directory, url, bucket);

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    /// <summary>What the emulator logged, for failure messages.</summary>
    public string Log => string.Join('\n', _log.TakeLast(40));

    public string Url { get; }
    public string Bucket { get; }

    /// <summary>Where s3rver keeps its buckets (a folder per bucket, a file per object).</summary>
    public string DataDirectory => _directory;

    public static async Task<S3Server> StartAsync(string bucket = "flow-logs")
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Key);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Key);
        var script = FindScript();
        // s3rver makes its continuation tokens with a cipher that OpenSSL 3 keeps in its legacy provider.
        var directory = Directory.CreateTempSubdirectory("flowlens-s3").FullName;
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("node", ["--openssl-legacy-provider", script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        var server = new S3Server(process, directory, $"http://127.0.0.1:{port}", bucket);
        process.OutputDataReceived += (_, e) => server._log.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => server._log.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await LoopbackPort.WaitForListenerAsync(port))
        {
            return server;
        }
        await server.DisposeAsync();
        throw new InvalidOperationException("s3rver did not start");
    }

    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(Key, Key), new AmazonS3Config
    {
        ServiceURL = Url,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Uploads every file under <paramref name="root"/> with its relative path as the key.</summary>
    public async Task UploadFolderAsync(string root)
    {
        using var client = CreateClient();
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
            {
                BucketName = Bucket,
                Key = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'),
                FilePath = file,
                // s3rver stores aws-chunked framing as if it were the content.
                UseChunkEncoding = false,
            });
        }
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "backend", "tests", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new InvalidOperationException("s3rver is not installed: run `npm ci` in backend/tests/s3rver (deploy/local/test.sh does).");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
