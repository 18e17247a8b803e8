using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using FlowLens.Api.Hosting;
using FlowLens.Core.Ocsf;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Notifications;

/// <summary>How one attempt ended: sent, or why not. <paramref name="Reply"/>: the HTTP status or the SMTP server's reply.</summary>
public sealed record SendOutcome(bool Sent, string? Reply, string? Error);

/// <summary>Sends one message to one channel, once: retries are the <see cref="DeliveryJob"/>'s. Never throws for the receiver's faults.</summary>
public sealed class ChannelSender(IHttpClientFactory http, IOptions<NotificationsOptions> options, IOptions<PublicUrlOptions> publicUrl, TimeProvider clock)
{
    public const string SignatureHeader = "X-FlowLens-Signature", EventHeader = "X-FlowLens-Event", DeliveryHeader = "X-FlowLens-Delivery";

    public async Task<SendOutcome> SendAsync(Channel channel, FindingNotice notice, string @event, Guid delivery, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var link = publicUrl.Value.FindingLink(notice.FindingId);
        try
        {
            return channel.Kind switch
            {
                ChannelKinds.Webhook => await PostAsync(channel, WebhookContent(channel, notice, @event, delivery, link), limit.Token),
                ChannelKinds.Slack => await PostAsync(channel, Json(Payloads.Slack(notice, @event, link)), limit.Token),
                ChannelKinds.Email => await MailAsync(channel, notice, @event, delivery, link, timeout, limit.Token),
                _ => new SendOutcome(false, null, $"Unknown channel kind {channel.Kind}."),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendOutcome(false, null, $"No answer within {timeout.TotalSeconds:0} s.");
        }
    }

    private HttpContent WebhookContent(Channel channel, FindingNotice notice, string @event, Guid delivery, string link)
    {
        var now = clock.GetUtcNow();
        var body = channel.Config.Format == WebhookFormats.Ocsf
            ? Payloads.Ocsf(notice, @event, delivery, link, now)
            : Payloads.Webhook(notice, @event, delivery, link, now);
        var content = Json(body);
        content.Headers.Add(SignatureHeader, Signature(channel.Secret.SigningSecret ?? "", now.ToUnixTimeSeconds(), body));
        content.Headers.Add(EventHeader, @event);
        content.Headers.Add(DeliveryHeader, delivery.ToString());
        return content;
    }

    /// <summary><c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>: the time is signed, so an old message cannot be replayed as new.</summary>
    public static string Signature(string secret, long unixSeconds, byte[] body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(t + ".").Concat(body).ToArray();
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<SendOutcome> PostAsync(Channel channel, HttpContent content, CancellationToken ct)
    {
        using var client = http.CreateClient(NotificationsSetup.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Secret.Url) { Content = content };
        request.Headers.UserAgent.ParseAdd($"FlowLens/{OcsfEvent.ProductVersion}");
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            if (response.IsSuccessStatusCode)
            {
                return new SendOutcome(true, status, null);
            }
            return new SendOutcome(false, status, (int)response.StatusCode is >= 300 and < 400
                ? "The receiver answered with a redirect, which is not followed."
                : "The receiver answered with an error status.");
        }
        catch (HttpRequestException e)
        {
            // The refusal or socket error says which host and why; the URL itself (a secret) is never in the message.
            var refused = FindInner<EndpointRefusedException>(e);
            return new SendOutcome(false, null, refused is not null ? $"Refused: {refused.Message}." : $"Could not send: {e.Message}");
        }
    }

    private static async Task<SendOutcome> MailAsync(Channel channel, FindingNotice notice, string @event, Guid delivery, string link, TimeSpan timeout, CancellationToken ct)
    {
        var config = channel.Config;
        var message = Payloads.Email(notice, @event, delivery, link, config.From!, config.To!);
        using var smtp = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        try
        {
            var security = config.Security switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None when Payloads.IsLoopback(config.Host!) => SecureSocketOptions.None,
                SmtpSecurity.None => throw new InvalidOperationException("SMTP without TLS is allowed to a loopback host only."),
                _ => SecureSocketOptions.StartTls,
            };
            await smtp.ConnectAsync(config.Host!, config.Port ?? 587, security, ct);
            if (!string.IsNullOrEmpty(config.Username))
            {
                await smtp.AuthenticateAsync(config.Username, channel.Secret.Password ?? "", ct);
            }
            var reply = await smtp.SendAsync(message, ct);
            await smtp.DisconnectAsync(quit: true, ct);
            // MailKit gives the text of the server's answer to the message; its code is 250, or it would have thrown.
            return new SendOutcome(true, Trim($"250 {reply}"), null);
        }
        catch (SmtpCommandException e)
        {
            return new SendOutcome(false, $"{(int)e.StatusCode} {e.Message}", $"The SMTP server refused: {e.Message}");
        }
        catch (AuthenticationException e)
        {
            return new SendOutcome(false, null, $"The SMTP server refused the username or password: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or SslHandshakeException or IOException
            or System.Net.Sockets.SocketException or ServiceNotConnectedException or InvalidOperationException)
        {
            return new SendOutcome(false, null, $"Could not send the mail: {e.Message}");
        }
    }

    private static string Trim(string text) => text.Length <= 300 ? text : text[..300];

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }
}

public static class WebhookFormats
{
    public const string FlowLens = "flowlens", Ocsf = "ocsf";

    public static bool IsValid(string? format) => format is FlowLens or Ocsf;
}

public static class SmtpSecurity
{
    public const string StartTls = "starttls", Tls = "tls", None = "none";

    public static bool IsValid(string? security) => security is StartTls or Tls or None;
}
