using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using FlowLens.Api.Features.Ingestion.CloudWatch;
using FlowLens.Api.Hosting;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// What every viewer reads of a failed run or object: a short message naming the kind of failure, never an upstream
/// body or a connection error (they can hold internal addresses or secrets). The whole exception goes to the log,
/// under the id the message ends with.
/// </summary>
public static partial class SourceErrors
{
    /// <summary>Logs <paramref name="e"/> with a new error id and returns the short message that names it.</summary>
    public static string Describe(Exception e, ILogger logger, string what)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        logger.LogWarning(e, "{What} failed (error {ErrorId})", what, id);
        return $"{Summary(e)} (error {id} in the log)";
    }

    private static string Summary(Exception e)
    {
        var chain = Hosting.ProblemExceptionHandler.Causes(e).ToList();
        if (chain.OfType<EndpointRefusedException>().Any())
        {
            return "the endpoint is not allowed (see FlowLens:Sources:AllowedEndpoints)";
        }
        if (chain.OfType<AmazonServiceException>().FirstOrDefault(a => a.StatusCode != 0) is { } aws)
        {
            return $"{(aws is AmazonS3Exception ? "S3" : "AWS")} answered {(int)aws.StatusCode} {Code(aws.ErrorCode)}";
        }
        if (chain.OfType<CloudWatchLogsException>().FirstOrDefault() is { } logs)
        {
            return $"CloudWatch Logs answered {(int)logs.Status} {Code(logs.ErrorType)}";
        }
        if (chain.Any(x => x is HttpRequestException or SocketException))
        {
            return "could not connect to the endpoint";
        }
        if (chain.OfType<AmazonClientException>().Any())
        {
            return "the AWS client failed (credentials or configuration)";
        }
        if (chain.Any(x => x is TimeoutException or TaskCanceledException))
        {
            return "the endpoint did not answer in time";
        }
        // A file of a directory source: the path is in the source's settings already.
        return e is IOException or UnauthorizedAccessException or InvalidDataException
            ? e.Message[..Math.Min(e.Message.Length, 200)]
            : "unexpected error";
    }

    /// <summary>An error code as AWS spells them (AccessDenied, NoSuchBucket); anything else is not shown.</summary>
    private static string Code(string? code) => code is not null && ErrorCode().IsMatch(code) ? code : "error";

    [GeneratedRegex("^[A-Za-z0-9.]{1,64}$")]
    private static partial Regex ErrorCode();
}
