using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A minimal OpenID Connect provider on a loopback port: discovery, keys, an authorization endpoint that signs in
/// <see cref="NextUser"/> without asking, and a token endpoint that checks the client and the PKCE verifier and
/// returns an RS256-signed id token carrying the request's nonce.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "flowlens";
    public const string ClientSecret = "test-client-secret";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly ConcurrentDictionary<string, (string Nonce, string Challenge, Dictionary<string, object> Claims)> _codes = new();

    private TestIdentityProvider(WebApplication app, string issuer) => (_app, Issuer) = (app, issuer);

    public string Issuer { get; }

    /// <summary>The claims of the person the next authorization signs in.</summary>
    public Dictionary<string, object> NextUser { get; set; } = [];

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var provider = new TestIdentityProvider(app, $"http://127.0.0.1:{port}");
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Issuer,
            ["authorization_endpoint"] = provider.Issuer + "/authorize",
            ["token_endpoint"] = provider.Issuer + "/token",
            ["jwks_uri"] = provider.Issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(provider._key.Rsa.ExportParameters(false)) { KeyId = provider._key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256")
            {
                return Results.BadRequest("unexpected authorization request");
            }
            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            provider._codes[code] = (q["nonce"]!, q["code_challenge"]!, provider.NextUser);
            return Results.Redirect($"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"]!)}");
        });
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret || !provider._codes.TryRemove(form["code"]!, out var grant))
            {
                return Results.BadRequest(new { error = "invalid_grant" });
            }
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"]!)));
            if (challenge != grant.Challenge)
            {
                return Results.BadRequest(new { error = "invalid_grant", error_description = "PKCE verifier does not match" });
            }
            var claims = new Dictionary<string, object>(grant.Claims) { ["nonce"] = grant.Nonce };
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = provider.Issuer,
                Audience = ClientId,
                Claims = claims,
                IssuedAt = DateTime.UtcNow,
                Expires = DateTime.UtcNow.AddMinutes(5),
                SigningCredentials = new SigningCredentials(provider._key, SecurityAlgorithms.RsaSha256),
            });
            return Results.Json(new { access_token = "opaque-access-token", token_type = "Bearer", expires_in = 300, id_token = idToken });
        });
        await app.StartAsync();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
