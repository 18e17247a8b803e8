using System.Globalization;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace FlowLens.Api.Features.Ingestion.CloudWatch;

/// <summary>
/// AWS Signature Version 4 for one request, by AWSSDK.Core's own signer (canonical request, string to sign,
/// signing key): FlowLens only chooses the headers to sign. Checked against AWS's test vectors in the tests.
/// </summary>
public sealed class SigV4 : AWS4Signer
{
    /// <summary>
    /// Adds <c>x-amz-date</c> (and <c>x-amz-security-token</c> for temporary credentials) to
    /// <paramref name="headers"/> (lower-case names: every header to sign, <c>host</c> included) and returns the
    /// <c>Authorization</c> header value.
    /// </summary>
    public static string Authorize(string method, Uri uri, IDictionary<string, string> headers, byte[] body,
        ImmutableCredentials credentials, string region, string service, DateTime signedAt)
    {
        headers["x-amz-date"] = signedAt.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }
        var sorted = SortAndPruneHeaders(headers);
        var bodyHash = AWSSDKUtils.ToHex(ComputeHash(body), true);
        var canonical = CanonicalizeRequest(uri, uri.AbsolutePath, method, sorted, "", bodyHash, null, false);
        return ComputeSignature(credentials, region, signedAt.ToUniversalTime(), service, CanonicalizeHeaderNames(sorted), canonical)
            .ForAuthorizationHeader;
    }
}
