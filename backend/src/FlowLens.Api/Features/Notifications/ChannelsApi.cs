using System.Security.Claims;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using MimeKit;
using Npgsql;

namespace FlowLens.Api.Features.Notifications;

/// <summary>
/// Notification channels: admins write them; viewers list their names and kinds (to read which channels a rule
/// notifies), admins also see their settings. Secrets (URLs, signing secret, SMTP password) are write-only.
/// </summary>
public static class ChannelsApi
{
    public static void MapChannels(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/api/channels").WithTags("Notifications");
        channels.MapGet("/", ListChannels).RequireAuthorization(Policies.Viewer)
            .WithSummary("Every notification channel, by name; settings for admins only, secrets never.");
        channels.MapPost("/", CreateChannel).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Adds a webhook, Slack or email channel.");
        channels.MapPut("/{id:long}", UpdateChannel).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin)
            .WithSummary("Replaces a channel's settings; a secret left out (null) keeps the stored one.");
        channels.MapDelete("/{id:long}", DeleteChannel).RequireAuthorization(Policies.Admin).WithSummary("Removes a channel and its delivery log.");
        channels.MapPost("/{id:long}/test", TestChannel).RequireAuthorization(Policies.Admin)
            .WithSummary("Sends a sample finding through the channel now, once, and answers how it went.");
        app.MapGet("/api/deliveries", ListDeliveries).WithTags("Notifications").RequireAuthorization(Policies.Viewer)
            .WithSummary("The delivery log of a finding: every attempt to every channel, newest first.");
    }

    /// <param name="Name">What to call it, e.g. <c>security-team</c> (1 to 100 characters, unique).</param>
    /// <param name="Kind"><c>webhook</c>, <c>slack</c> or <c>email</c>; it cannot change.</param>
    /// <param name="Enabled">False keeps the channel but sends nothing to it (default true).</param>
    /// <param name="Webhook">For a webhook channel.</param>
    /// <param name="Slack">For a Slack channel.</param>
    /// <param name="Email">For an email channel.</param>
    public sealed record ChannelRequest(string? Name, string? Kind, bool? Enabled, WebhookRequest? Webhook, SlackRequest? Slack, EmailRequest? Email);

    /// <param name="Url">Where to POST (secret): https, to a public address unless its host is in FlowLens:Notifications:AllowedHosts.</param>
    /// <param name="SigningSecret">The HMAC-SHA256 key of X-FlowLens-Signature (secret, 16 to 200 characters).</param>
    /// <param name="Format"><c>flowlens</c> (default: the finding as FlowLens describes it) or <c>ocsf</c> (an OCSF Detection Finding, class 2004).</param>
    public sealed record WebhookRequest(string? Url, string? SigningSecret, string? Format);

    /// <param name="Url">The Slack incoming-webhook URL (secret).</param>
    public sealed record SlackRequest(string? Url);

    /// <param name="Host">The SMTP server.</param>
    /// <param name="Port">Default 587 (starttls), 465 (tls), 25 (none).</param>
    /// <param name="Security"><c>starttls</c> (default), <c>tls</c>, or <c>none</c> (to a loopback host only).</param>
    /// <param name="Username">Signs in with this name and the password; none, no AUTH.</param>
    /// <param name="Password">The SMTP password (secret); null keeps the stored one, "" removes it.</param>
    /// <param name="From">The sender address.</param>
    /// <param name="To">The recipients (1 to 50).</param>
    public sealed record EmailRequest(string? Host, int? Port, string? Security, string? Username, string? Password, string? From, string[]? To);

    /// <param name="SecretSet">True when every secret the kind needs is stored (the secrets themselves are never returned).</param>
    /// <param name="Webhook">Webhook settings, for admins.</param>
    /// <param name="Slack">Slack settings, for admins.</param>
    /// <param name="Email">Email settings, for admins.</param>
    public sealed record ChannelResponse(long Id, string Name, string Kind, bool Enabled, bool SecretSet,
        WebhookSettings? Webhook, SlackSettings? Slack, EmailSettings? Email, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record WebhookSettings(string Format, bool UrlSet, bool SigningSecretSet);

    public sealed record SlackSettings(bool UrlSet);

    public sealed record EmailSettings(string Host, int Port, string Security, string? Username, bool PasswordSet, string From, IReadOnlyList<string> To);

    /// <param name="DeliveryId">The delivery this attempt belongs to (the X-FlowLens-Delivery header); the same in each of its attempts.</param>
    /// <param name="FindingId">0 for a channel's test.</param>
    /// <param name="Event"><c>finding.opened</c>, <c>finding.reopened</c> or <c>test</c>.</param>
    /// <param name="Status"><c>pending</c> (waits for its time), <c>sending</c>, <c>sent</c>, <c>failed</c> (retried: see the next attempt) or <c>gave-up</c>.</param>
    /// <param name="NextAttemptAt">When a pending attempt is due.</param>
    /// <param name="Reply">The receiver's HTTP status or the SMTP server's reply.</param>
    /// <param name="Error">Why the attempt failed.</param>
    public sealed record DeliveryResponse(long Id, Guid DeliveryId, long FindingId, long ChannelId, string ChannelName, string ChannelKind, string Event,
        int Attempt, string Status, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? AttemptedAt, DateTimeOffset? FinishedAt,
        string? Reply, string? Error);

    internal static async Task<Ok<List<ChannelResponse>>> ListChannels(ChannelStore store, ClaimsPrincipal user, CancellationToken ct)
    {
        var admin = user.IsInRole(Roles.Admin);
        return TypedResults.Ok((await store.ListAsync(ct)).Select(c => Response(c, admin)).ToList());
    }

    internal static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> CreateChannel(
        ChannelRequest request, ChannelStore store, NotifyEndpoints endpoints, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (!ChannelKinds.IsValid(request.Kind))
        {
            return Problems.Invalid("kind", "The kind is webhook, slack or email.");
        }
        var checkedRequest = Check(request, request.Kind!, null, endpoints);
        if (checkedRequest.Problem is { } invalid)
        {
            return invalid;
        }
        var (name, config, secret) = checkedRequest.Channel!.Value;
        var (channel, conflict) = await store.InsertAsync(name, request.Kind!, request.Enabled ?? true, config, secret, clock.GetUtcNow(), ct);
        if (conflict)
        {
            return NameTaken(name);
        }
        await audit.RecordAsync(AuditActions.ChannelCreated, Target(channel!), Detail(channel!), ct);
        return TypedResults.Created($"/api/channels/{channel!.Id}", Response(channel, admin: true));
    }

    internal static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> UpdateChannel(
        long id, ChannelRequest request, ChannelStore store, NotifyEndpoints endpoints, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } stored)
        {
            return Problems.NotFound("channel", id);
        }
        if (request.Kind is not null && request.Kind != stored.Kind)
        {
            return Problems.Invalid("kind", $"A channel's kind cannot change (this one is {stored.Kind}); make a new channel.");
        }
        var checkedRequest = Check(request, stored.Kind, stored.Secret, endpoints);
        if (checkedRequest.Problem is { } invalid)
        {
            return invalid;
        }
        var (name, config, secret) = checkedRequest.Channel!.Value;
        var (channel, conflict) = await store.UpdateAsync(id, stored.Kind, name, request.Enabled ?? stored.Enabled, config, secret, clock.GetUtcNow(), ct);
        if (conflict)
        {
            return NameTaken(name);
        }
        if (channel is null)
        {
            return Problems.NotFound("channel", id);
        }
        await audit.RecordAsync(AuditActions.ChannelUpdated, Target(channel), Detail(channel), ct);
        return TypedResults.Ok(Response(channel, admin: true));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteChannel(long id, ChannelStore store, AuditLog audit, CancellationToken ct)
    {
        if (await store.DeleteAsync(id, ct) is not { } channel)
        {
            return Problems.NotFound("channel", id);
        }
        await audit.RecordAsync(AuditActions.ChannelDeleted, Target(channel), Detail(channel), ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<DeliveryResponse>, ProblemHttpResult>> TestChannel(
        long id, ChannelStore store, ChannelSender sender, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } channel)
        {
            return Problems.NotFound("channel", id);
        }
        var notice = Payloads.Sample(clock.GetUtcNow());
        var (attemptId, delivery) = await DeliveryLog.StartTestAsync(dataSource, id, notice, clock.GetUtcNow(), ct);
        // A disabled channel is still tested: the button is how an admin checks it before enabling it.
        var outcome = await sender.SendAsync(channel, notice, NotificationEvents.Test, delivery, ct);
        await DeliveryLog.FinishAsync(dataSource, attemptId, outcome.Sent ? DeliveryStatus.Sent : DeliveryStatus.GaveUp, outcome, clock.GetUtcNow(), null, ct);
        await audit.RecordAsync(AuditActions.ChannelTested, Target(channel), outcome.Sent ? $"sent: {outcome.Reply}" : $"failed: {outcome.Reply} {outcome.Error}".Trim(), ct);
        return TypedResults.Ok((await ReadDeliveriesAsync(dataSource, "d.id = $1", attemptId, visible: true, ct)).Single());
    }

    /// <param name="findingId">The finding whose deliveries to list; 0 lists the channels' tests.</param>
    internal static async Task<Results<Ok<List<DeliveryResponse>>, ValidationProblem>> ListDeliveries(
        long? findingId, ClaimsPrincipal caller, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (findingId is not { } finding || finding < 0)
        {
            return Problems.Invalid("findingId", "The finding's id is required.");
        }
        return TypedResults.Ok(await ReadDeliveriesAsync(dataSource, "d.finding_id = $1", finding, CallerScope.SeesAll(caller), ct));
    }

    /// <summary>Deliveries tell of findings, which a scoped caller does not see (FindingsApi): none for them, in the SQL.</summary>
    private static async Task<List<DeliveryResponse>> ReadDeliveriesAsync(NpgsqlDataSource dataSource, string where, long value, bool visible, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select d.id, d.delivery, d.finding_id, d.channel_id, c.name, c.kind, d.event, d.attempt, d.status, d.created_at, d.next_attempt_at,
                d.attempted_at, d.finished_at, d.reply, d.error
            from deliveries d join channels c on c.id = d.channel_id
            where {where} and $2
            order by d.id desc
            limit 500
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        command.Parameters.Add(new NpgsqlParameter { Value = visible });
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<DeliveryResponse>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new DeliveryResponse(r.GetInt64(0), r.GetGuid(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetInt32(7), r.GetString(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10),
                r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12),
                r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14)));
        }
        return list;
    }

    /// <summary>The request checked for its kind and merged with the stored secrets: the values to store, or a 400.</summary>
    private static ((string Name, ChannelConfig Config, ChannelSecret Secret)? Channel, ValidationProblem? Problem) Check(
        ChannelRequest request, string kind, ChannelSecret? stored, NotifyEndpoints endpoints)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            Fail("name", "A name of 1 to 100 characters is required.");
        }
        ChannelConfig config = new();
        ChannelSecret secret = new();
        switch (kind)
        {
            case ChannelKinds.Webhook:
                var webhook = request.Webhook ?? new WebhookRequest(null, null, null);
                var url = webhook.Url ?? stored?.Url;
                if (url is null)
                {
                    Fail("webhook.url", "The webhook's URL is required.");
                }
                else if (endpoints.Refusal(url) is { } refusal)
                {
                    Fail("webhook.url", refusal);
                }
                var signing = webhook.SigningSecret ?? stored?.SigningSecret;
                if (signing is null || signing.Length is < 16 or > 200)
                {
                    Fail("webhook.signingSecret", "A signing secret of 16 to 200 characters is required.");
                }
                var format = webhook.Format ?? WebhookFormats.FlowLens;
                if (!WebhookFormats.IsValid(format))
                {
                    Fail("webhook.format", "The format is flowlens or ocsf.");
                }
                (config, secret) = (new ChannelConfig(Format: format), new ChannelSecret(Url: url, SigningSecret: signing));
                break;
            case ChannelKinds.Slack:
                var slackUrl = request.Slack?.Url ?? stored?.Url;
                if (slackUrl is null)
                {
                    Fail("slack.url", "The Slack incoming-webhook URL is required.");
                }
                else if (endpoints.Refusal(slackUrl) is { } refusal)
                {
                    Fail("slack.url", refusal);
                }
                secret = new ChannelSecret(Url: slackUrl);
                break;
            case ChannelKinds.Email:
                var email = request.Email ?? new EmailRequest(null, null, null, null, null, null, null);
                var host = email.Host?.Trim();
                if (string.IsNullOrEmpty(host) || host.Length > 253 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
                {
                    Fail("email.host", "The SMTP server's host name or address is required.");
                }
                var security = email.Security ?? SmtpSecurity.StartTls;
                if (!SmtpSecurity.IsValid(security))
                {
                    Fail("email.security", "The security is starttls, tls or none.");
                }
                else if (security == SmtpSecurity.None && host is not null && !Payloads.IsLoopback(host))
                {
                    Fail("email.security", "SMTP without TLS (none) is allowed to a loopback host only: the password and the findings would cross the network in clear.");
                }
                var port = email.Port ?? (security == SmtpSecurity.Tls ? 465 : security == SmtpSecurity.None ? 25 : 587);
                if (port is < 1 or > 65535)
                {
                    Fail("email.port", "The port is 1 to 65535.");
                }
                if (email.From is null || !MailboxAddress.TryParse(email.From, out _) || email.From.Length > 320)
                {
                    Fail("email.from", "The sender's address is required, e.g. flowlens@example.org.");
                }
                var to = email.To?.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray() ?? [];
                if (to.Length is 0 or > 50 || to.Any(t => !MailboxAddress.TryParse(t, out _) || t.Length > 320))
                {
                    Fail("email.to", "1 to 50 recipient addresses are required.");
                }
                var username = string.IsNullOrWhiteSpace(email.Username) ? null : email.Username.Trim();
                if (username?.Length > 200)
                {
                    Fail("email.username", "The username is at most 200 characters.");
                }
                // A password needs a username; no username, no AUTH, nothing kept.
                var password = username is null ? null : email.Password is null ? stored?.Password : email.Password.Length == 0 ? null : email.Password;
                if (password?.Length > 500)
                {
                    Fail("email.password", "The password is at most 500 characters.");
                }
                (config, secret) = (new ChannelConfig(Host: host, Port: port, Security: security, Username: username, From: email.From?.Trim(), To: to),
                    new ChannelSecret(Password: password));
                break;
        }
        return errors.Count > 0 ? (null, TypedResults.ValidationProblem(errors)) : ((request.Name!.Trim(), config, secret), null);
    }

    private static ChannelResponse Response(Channel c, bool admin)
    {
        var s = c.Secret;
        var secretSet = c.Kind switch
        {
            ChannelKinds.Webhook => s.Url is not null && s.SigningSecret is not null,
            ChannelKinds.Slack => s.Url is not null,
            _ => c.Config.Username is null || s.Password is not null,
        };
        return new ChannelResponse(c.Id, c.Name, c.Kind, c.Enabled, secretSet,
            admin && c.Kind == ChannelKinds.Webhook ? new WebhookSettings(c.Config.Format ?? WebhookFormats.FlowLens, s.Url is not null, s.SigningSecret is not null) : null,
            admin && c.Kind == ChannelKinds.Slack ? new SlackSettings(s.Url is not null) : null,
            admin && c.Kind == ChannelKinds.Email
                ? new EmailSettings(c.Config.Host!, c.Config.Port ?? 587, c.Config.Security!, c.Config.Username, s.Password is not null, c.Config.From!, c.Config.To ?? [])
                : null,
            c.CreatedAt, c.UpdatedAt);
    }

    private static ProblemHttpResult NameTaken(string name) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
        detail: $"A channel named {Problems.Clip(name, 100)} exists already.");

    private static string Target(Channel channel) => $"channel:{channel.Name} (#{channel.Id})";

    // Settings only, never a secret: the URL (a Slack URL is its own credential) is not named either.
    private static string Detail(Channel c) => c.Kind switch
    {
        ChannelKinds.Webhook => $"webhook, {(c.Enabled ? "enabled" : "disabled")}, format {c.Config.Format}",
        ChannelKinds.Slack => $"slack, {(c.Enabled ? "enabled" : "disabled")}",
        _ => $"email, {(c.Enabled ? "enabled" : "disabled")}, {c.Config.Security} {c.Config.Host}:{c.Config.Port}, to {string.Join(' ', c.Config.To ?? [])}",
    };
}
