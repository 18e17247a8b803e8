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

    private readonly NodeServer _node;
    private readonly string _directory;

    private S3Server(NodeServer node, string directory, string url, string bucket) =>
        (_node, _directory, Url, Bucket) = (node, directory, url, bucket);

    /// <summary>What the emulator logged, for failure messages.</summary>
    public string Log => string.Join('\n', _node.Lines.TakeLast(40));

    public string Url { get; }
    public string Bucket { get; }

    /// <summary>Where s3rver keeps its buckets (a folder per bucket, a file per object).</summary>
    public string DataDirectory => _directory;

    public static async Task<S3Server> StartAsync(string bucket = "flow-logs")
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Key);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Key);
        var script = NodeServer.Find("s3rver", "node_modules/s3rver/bin/s3rver.js", "node_modules/s3rver/bin/s3rver.js");
        var directory = Directory.CreateTempSubdirectory("flowlens-s3").FullName;
        var port = LoopbackPort.Free();
        try
        {
            // s3rver makes its continuation tokens with a cipher that OpenSSL 3 keeps in its legacy provider.
            var node = await NodeServer.StartAsync("s3rver", port,
                ["--openssl-legacy-provider", script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", bucket]);
            return new S3Server(node, directory, $"http://127.0.0.1:{port}", bucket);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
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

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
