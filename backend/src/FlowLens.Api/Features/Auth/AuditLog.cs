using System.Security.Claims;
using FlowLens.Api.Data;
using FlowLens.Api.Hosting;

namespace FlowLens.Api.Features.Auth;

/// <summary>A security-relevant action: who did what to what, when and from where. Never holds a secret.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The key or person that acted: <c>key:name (#id)</c> or <c>user:email</c>.</summary>
    public required string Actor { get; set; }
    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }
    public required string Target { get; set; }
    public string? Detail { get; set; }
    public string? RemoteAddress { get; set; }
}

public static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyRevoked = "key.revoked";
    public const string SourceCreated = "source.created";
    public const string SourceUpdated = "source.updated";
    public const string SourceDeleted = "source.deleted";
    public const string SourceSync = "source.sync";
    public const string SourceRetry = "source.retry";
    public const string SourceInventory = "source.inventory";
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in.failed";
    public const string SignOutAll = "sign-out-all";
    public const string SessionEnded = "session.ended";
    public const string PasswordChanged = "password.changed";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDeleted = "user.deleted";
    public const string UserSignedOut = "user.signed-out";
    public const string NetworkCreated = "network.created";
    public const string NetworkUpdated = "network.updated";
    public const string NetworkDeleted = "network.deleted";
    public const string AwsIpRangesImported = "aws-ip-ranges.imported";

    // Threat lists (Features/ThreatLists).
    public const string ThreatListCreated = "threat-list.created";
    public const string ThreatListUpdated = "threat-list.updated";
    public const string ThreatListDeleted = "threat-list.deleted";
    public const string ThreatListUploaded = "threat-list.uploaded";
    public const string ThreatListRefreshed = "threat-list.refreshed";

    // Saved searches (Features/Searches).
    public const string SearchCreated = "search.created";
    public const string SearchUpdated = "search.updated";
    public const string SearchDeleted = "search.deleted";

    // Notifications (Features/Notifications).
    public const string ChannelCreated = "channel.created";
    public const string ChannelUpdated = "channel.updated";
    public const string ChannelDeleted = "channel.deleted";
    public const string ChannelTested = "channel.tested";

    // Detections (Features/Detections).
    public const string RuleCreated = "rule.created";
    public const string RuleUpdated = "rule.updated";
    public const string RuleDeleted = "rule.deleted";
    public const string FindingUpdated = "finding.updated";
    public const string FindingsBulkUpdated = "findings.bulk-updated";
}

/// <summary>Records audit events in the database, in the request's own unit of work.</summary>
public sealed class AuditLog(FlowLensDb db, IHttpContextAccessor http, TimeProvider clock)
{
    /// <param name="actor">Who acted, when the request is not signed in yet (a sign-in).</param>
    public async Task RecordAsync(string action, string target, string? detail, CancellationToken ct, string? actor = null)
    {
        var context = http.HttpContext;
        db.AuditEvents.Add(new AuditEvent
        {
            At = clock.GetUtcNow(),
            Actor = Clip(actor ?? ActorOf(context?.User)),
            Action = action,
            Target = Clip(target),
            Detail = detail,
            RemoteAddress = context?.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>How the audit log names the caller: <c>key:name (#id)</c>, <c>user:email</c> or <c>anonymous</c>.</summary>
    public static string ActorOf(ClaimsPrincipal? user) =>
        user?.FindFirstValue(ApiKeyAuthentication.KeyIdClaim) is { } keyId
            ? $"key:{user.Identity?.Name} (#{keyId})"
            : user?.Identity?.IsAuthenticated == true ? $"user:{user.Identity.Name}" : "anonymous";

    // Names come from requests and providers: a long one is cut to its column (300) rather than failing the request.
    private static string Clip(string text) => Problems.Clip(text, 300);
}
