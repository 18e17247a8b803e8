using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace FlowLens.Api.Features.Auth;

/// <summary>A key that a tool sends in X-Api-Key. Only the SHA-256 of the secret is stored.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the secret, so a person can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The person who created the key; removing them revokes it. Null for the bootstrap key and keys made by keys.</summary>
    public long? CreatedByUserId { get; set; }
    /// <summary>Who created the key, as the audit log names actors (<c>user:email</c>, <c>key:name (#id)</c>, <c>configuration</c>).</summary>
    public string? CreatedBy { get; set; }
    /// <summary>The AWS accounts the key may read (<see cref="Core.Scopes.AccessScope"/>); with <see cref="ScopeVpcs"/> empty too: everything.</summary>
    public string[] ScopeAccounts { get; set; } = [];
    /// <summary>The VPCs the key may read, beside <see cref="ScopeAccounts"/>.</summary>
    public string[] ScopeVpcs { get; set; } = [];

    public const int PrefixLength = 8;

    /// <summary>A new random secret: 24 bytes (192 bits) from the OS generator, base64url, behind "fl_".</summary>
    public static string NewSecret() => "fl_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));

    // Keys are long random strings, so a fast unsalted hash is enough: there is nothing to brute-force.
    public static byte[] HashOf(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static ApiKey For(string secret, string name, string role, DateTimeOffset now) => new()
    {
        Name = name,
        Prefix = secret[..Math.Min(PrefixLength, secret.Length)],
        Hash = HashOf(secret),
        Role = role,
        CreatedAt = now,
    };
}

/// <summary>The roles a person or a key can have.</summary>
public static class Roles
{
    /// <summary>Reads flows, stats and the status of sources.</summary>
    public const string Viewer = "viewer";

    /// <summary>Everything a viewer can, plus sources, users, keys and the jobs dashboard.</summary>
    public const string Admin = "admin";

    public static bool IsValid(string role) => role is Viewer or Admin;
}

/// <summary>Authorization policies by name; every endpoint names one (or is explicitly anonymous).</summary>
public static class Policies
{
    public const string Viewer = "viewer";
    public const string Admin = "admin";
}
