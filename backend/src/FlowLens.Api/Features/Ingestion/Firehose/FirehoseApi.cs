using System.IO.Compression;
using System.Text.Json.Serialization;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion.Firehose;

/// <summary>
/// Amazon Data Firehose's HTTP endpoint destination: <c>POST /api/ingest/firehose</c> in Firehose's request and
/// response format (protocol 1.0). The access key names the source; the answer is always Firehose's JSON, so that
/// Firehose's error log shows FlowLens's reason. Firehose retries anything but a 200 with the same request id, and
/// after its retry duration keeps the request in its S3 backup bucket.
/// </summary>
public static class FirehoseApi
{
    public const string Path = "/api/ingest/firehose";
    public const string AccessKeyHeader = "X-Amz-Firehose-Access-Key";
    public const string RequestIdHeader = "X-Amz-Firehose-Request-Id";
    public const int MaxRequestIdLength = 128;

    /// <summary>A new access key: 32 bytes (256 bits) from the OS generator, base64url, behind "flfh_".</summary>
    public static string NewAccessKey() => "flfh_" + Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static void MapFirehose(this IEndpointRouteBuilder app) =>
        app.MapPost(Path, Receive).WithName("receiveFirehoseRecords").AllowAnonymous().WithTags("Ingestion")
            .WithSummary("Amazon Data Firehose's HTTP endpoint delivery: stores a request's flow log records, once per request id.")
            .WithDescription("The stream's access key (X-Amz-Firehose-Access-Key) names a firehose source. Records are flow log lines in the " +
                "source's logFormat, or CloudWatch Logs subscription messages (gzip JSON). The body may be gzip (Content-Encoding: gzip).")
            .Accepts<FirehoseRequest>("application/json")
            .Produces<FirehoseResponse>(StatusCodes.Status200OK)
            .Produces<FirehoseResponse>(StatusCodes.Status400BadRequest)
            .Produces<FirehoseResponse>(StatusCodes.Status401Unauthorized)
            .Produces<FirehoseResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<FirehoseResponse>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<FirehoseResponse>(StatusCodes.Status503ServiceUnavailable);

    /// <summary>Firehose's request body.</summary>
    /// <param name="RequestId">The same as the X-Amz-Firehose-Request-Id header.</param>
    /// <param name="Timestamp">When Firehose sent the request, in Unix milliseconds.</param>
    /// <param name="Records">The records, each one's data in base64.</param>
    public sealed record FirehoseRequest(string RequestId, long Timestamp, List<FirehoseRecord> Records);

    /// <param name="Data">The record in base64: flow log text, or a CloudWatch Logs subscription message (gzip JSON).</param>
    public sealed record FirehoseRecord(string Data);

    /// <summary>Firehose's response body: the request id echoed, the time, and why a request was refused.</summary>
    /// <param name="Timestamp">Unix milliseconds.</param>
    public sealed record FirehoseResponse(
        string RequestId, long Timestamp, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorMessage = null);

    internal static async Task<IResult> Receive(
        HttpContext http, FlowLensDb db, FirehoseIngestion ingestion, IOptions<IngestionOptions> options, TimeProvider clock, ILogger<FirehoseIngestion> logger,
        [FromHeader(Name = RequestIdHeader)] string? requestId, [FromHeader(Name = AccessKeyHeader)] string? accessKey, CancellationToken ct)
    {
        IResult Answer(int status, string? error = null) =>
            TypedResults.Json(new FirehoseResponse(requestId ?? "", clock.GetUtcNow().ToUnixTimeMilliseconds(), error), statusCode: status);

        var hash = string.IsNullOrEmpty(accessKey) ? null : ApiKey.HashOf(accessKey);
        var source = hash is null ? null
            : await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Kind == SourceKinds.Firehose && s.FirehoseKeyHash == hash, ct);
        if (source is null)
        {
            logger.LogWarning("Firehose request from {Address} refused: {Problem}", http.Connection.RemoteIpAddress, accessKey is null ? "no access key" : "an unknown access key");
            return Answer(StatusCodes.Status401Unauthorized, $"The {AccessKeyHeader} header is missing or is not a FlowLens firehose source's access key.");
        }
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength || requestId.Any(c => c is <= ' ' or > '~'))
        {
            return Answer(StatusCodes.Status400BadRequest, $"The {RequestIdHeader} header is required: 1 to {MaxRequestIdLength} printable ASCII characters.");
        }
        if (!source.Enabled)
        {
            return Answer(StatusCodes.Status503ServiceUnavailable, $"The source '{source.Name}' is disabled; Firehose retries, then keeps the request in its backup bucket.");
        }
        var limit = options.Value.FirehoseMaxRequestBytes;
        if (http.Request.ContentLength > limit)
        {
            var reason = $"the request body is {http.Request.ContentLength} bytes, more than {limit} (limit FlowLens:Ingestion:FirehoseMaxRequestBytes); make the stream's buffer size smaller";
            await ingestion.RefuseAsync(source.Id, requestId, http.Request.ContentLength.Value, reason);
            return Answer(StatusCodes.Status413PayloadTooLarge, reason);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }
        Stream body;
        switch (http.Request.Headers.ContentEncoding.ToString().ToLowerInvariant())
        {
            case "":
            case "identity":
                body = http.Request.Body;
                break;
            case "gzip":
                body = new GZipStream(http.Request.Body, CompressionMode.Decompress, leaveOpen: true);
                break;
            default:
                return Answer(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON, gzip-compressed or not (Content-Encoding: gzip).");
        }
        var result = await ingestion.StoreAsync(source, requestId, body, http.Request.ContentLength, ct);
        return result.Outcome switch
        {
            FirehoseOutcome.Stored or FirehoseOutcome.AlreadyStored => Answer(StatusCodes.Status200OK),
            FirehoseOutcome.TooLarge => Answer(StatusCodes.Status413PayloadTooLarge, result.Error),
            _ => Answer(StatusCodes.Status400BadRequest, result.Error),
        };
    }
}
