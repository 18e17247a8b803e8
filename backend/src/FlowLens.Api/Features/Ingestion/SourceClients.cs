using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.SQS;
using FlowLens.Api.Features.Ingestion.CloudWatch;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The AWS clients of sources, every one connecting through <see cref="SourceEndpoints"/>. AWS clients are
/// thread-safe and meant to be kept: one per distinct settings for the life of the process, so credentials
/// (instance role, assumed role) are fetched and refreshed once rather than per object.
/// </summary>
public sealed class SourceClients(SourceEndpoints endpoints, IOptions<SourcesOptions> options)
{
    private readonly ConcurrentDictionary<S3Settings, AmazonS3Client> _s3 = new();
    private readonly ConcurrentDictionary<CloudWatchSettings, CloudWatchLogsClient> _cloudWatch = new();
    private readonly ConcurrentDictionary<Ec2Settings, AmazonEC2Client> _ec2 = new();
    private readonly ConcurrentDictionary<S3QueueSettings, AmazonSQSClient> _sqs = new();
    private readonly Lazy<HttpClient> _http = new(() => new HttpClient(endpoints.CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) });

    /// <summary>A new budget for one run's listing or paging.</summary>
    public ListBudget ListBudget() =>
        new(options.Value.MaxListPagesPerRun, options.Value.MaxListTimePerRun);

    public AmazonS3Client S3(S3Settings settings) => _s3.GetOrAdd(settings, s =>
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = s.ForcePathStyle,
            // S3-compatible stores (MinIO, s3rver) do not all speak the newer checksum headers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = new GuardedHttpClientFactory(_http.Value),
        };
        PointAt(config, Region(s.Region ?? "us-east-1"), s.ServiceUrl);
        return new AmazonS3Client(Credentials(s.RoleArn, s.ExternalId), config);
    });

    public CloudWatchLogsClient CloudWatch(CloudWatchSettings settings, double requestsPerSecond) => _cloudWatch.GetOrAdd(settings, s =>
        new CloudWatchLogsClient(_http.Value, Credentials(s.RoleArn, s.ExternalId), Region(s.Region ?? ""),
            s.ServiceUrl is { } url ? new Uri(url) : null, requestsPerSecond: requestsPerSecond));

    /// <summary>The EC2 client of a source's account and region (its inventory): the SDK retries throttled calls.</summary>
    public AmazonEC2Client Ec2(Ec2Settings settings) => _ec2.GetOrAdd(settings, s =>
    {
        var config = new AmazonEC2Config
        {
            HttpClientFactory = new GuardedHttpClientFactory(_http.Value),
            RetryMode = RequestRetryMode.Standard,
            // EC2 throttles per account and region, all callers together: more room than the default 2 retries.
            MaxErrorRetry = 6,
        };
        PointAt(config, Region(s.Region), s.ServiceUrl);
        return new AmazonEC2Client(Credentials(s.RoleArn, s.ExternalId), config);
    });

    /// <summary>The client of an S3 source's queue; <paramref name="settings"/> carry the region (the bucket's when the queue names none).</summary>
    public AmazonSQSClient Sqs(S3QueueSettings settings) => _sqs.GetOrAdd(settings, s =>
    {
        var config = new AmazonSQSConfig { HttpClientFactory = new GuardedHttpClientFactory(_http.Value) };
        PointAt(config, Region(s.Region ?? "us-east-1"), s.ServiceUrl);
        return new AmazonSQSClient(Credentials(s.RoleArn, s.ExternalId), config);
    });

    /// <summary>AWS's endpoint of the region, or another endpoint that signs for the region.</summary>
    private static void PointAt(ClientConfig config, string region, string? serviceUrl)
    {
        if (serviceUrl is { Length: > 0 } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }

    /// <summary>The region, checked again here: it becomes part of a host name.</summary>
    private static string Region(string region) =>
        SourceEndpoints.IsRegion(region) ? region : throw new ArgumentException("the source's region is not an AWS region name");

    private static AWSCredentials Credentials(string? roleArn, string? externalId)
    {
        var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        return roleArn is { Length: > 0 }
            ? new AssumeRoleAWSCredentials(credentials, roleArn, "flowlens", new AssumeRoleAWSCredentialsOptions { ExternalId = externalId })
            : credentials;
    }

    /// <summary>Hands the SDK the one guarded client (the SDK must neither cache nor dispose it).</summary>
    private sealed class GuardedHttpClientFactory(HttpClient http) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => http;

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}

/// <summary>Where a source's EC2 calls go: its region, its role, and an endpoint of its own (tests, LocalStack).</summary>
public sealed record Ec2Settings(string Region, string? RoleArn, string? ExternalId, string? ServiceUrl);

/// <summary>How many list requests or pages one run may still make, and for how long.</summary>
public sealed class ListBudget(int maxPages, TimeSpan maxDuration)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public int Pages { get; private set; }

    /// <summary>True once the run has made its pages or spent its time.</summary>
    public bool Spent { get; private set; }

    /// <summary>Takes one page from the budget; false (and <see cref="Spent"/>) when none is left.</summary>
    public bool TryTake()
    {
        Spent = Spent || Pages >= maxPages || Stopwatch.GetElapsedTime(_started) >= maxDuration;
        if (!Spent)
        {
            Pages++;
        }
        return !Spent;
    }

    public override string ToString() => $"{Pages} pages in {Stopwatch.GetElapsedTime(_started):hh\\:mm\\:ss}";
}
