using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// The AWS stand-ins' check of a request's Signature V4, written from AWS's guide independently of the signers FlowLens
/// uses (its own for CloudWatch Logs, the SDK's for EC2).
/// </summary>
public static class SigV4Check
{
    /// <summary>Null when the request is signed right with these keys for this region and service; else what is wrong.</summary>
    public static string? Verify(HttpRequest request, byte[] body, string accessKey, string secretKey, string region, string service, params string[] alsoSigned)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return $"not a SigV4 Authorization: '{authorization}'";
        }
        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',').Select(p => p.Trim().Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
        {
            return $"malformed Authorization '{authorization}'";
        }
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0] != accessKey || scope[2] != region || scope[3] != service || scope[4] != "aws4_request")
        {
            return $"unexpected credential scope {credential}";
        }
        var names = signedHeaders.Split(';');
        if (((string[])["host", "x-amz-date", .. alsoSigned]).FirstOrDefault(required => !names.Contains(required)) is { } unsigned)
        {
            return $"{unsigned} is not signed";
        }
        var date = request.Headers["x-amz-date"].ToString();
        if (!date.StartsWith(scope[1], StringComparison.Ordinal)
            || !DateTime.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt)
            || Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 15)
        {
            return $"x-amz-date {date} is not a time within 15 minutes of the scope's day {scope[1]}";
        }
        var query = string.Join('&', request.Query.SelectMany(q => q.Value.Select(v => (Key: Encode(q.Key), Value: Encode(v ?? ""))))
            .OrderBy(q => q.Key, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal).Select(q => $"{q.Key}={q.Value}"));
        var canonical = string.Join('\n',
            request.Method, request.Path.HasValue ? request.Path.Value : "/", query,
            string.Concat(names.Select(n => $"{n}:{CollapseSpaces(request.Headers[n].ToString().Trim())}\n")),
            signedHeaders, Hex(SHA256.HashData(body)));
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", date, string.Join('/', scope[1..]), Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var step in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        }
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : $"signature {signature} is not {expected}; canonical request:\n{canonical}";
    }

    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static string CollapseSpaces(string value) => System.Text.RegularExpressions.Regex.Replace(value, " {2,}", " ");

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
