using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowLens.Core.Ocsf;
using MimeKit;

namespace FlowLens.Api.Features.Notifications;

/// <summary>The messages each channel kind sends for a notice (docs/notifications.md shows them whole; the OCSF one docs/ocsf.md).</summary>
public static class Payloads
{
    /// <summary>The webhook's body: what happened, which delivery, the finding's link, and the notice itself.</summary>
    public static byte[] Webhook(FindingNotice notice, string @event, Guid delivery, string link, DateTimeOffset sentAt) =>
        JsonSerializer.SerializeToUtf8Bytes(new WebhookBody(@event, delivery, link, sentAt, notice), Notifier.Json);

    /// <param name="Event"><c>finding.opened</c>, <c>finding.reopened</c> or <c>test</c>.</param>
    /// <param name="DeliveryId">The same in every attempt of one message, so a receiver can drop a repeat.</param>
    public sealed record WebhookBody(string Event, Guid DeliveryId, string Link, DateTimeOffset SentAt, FindingNotice Finding);

    /// <summary>The notice as an OCSF Detection Finding (class 2004) of schema <see cref="OcsfEvent.Version"/> (docs/ocsf.md).</summary>
    public static byte[] Ocsf(FindingNotice notice, string @event, Guid delivery, string link, DateTimeOffset sentAt)
    {
        var (activityId, activity) = @event == NotificationEvents.FindingReopened ? (2, "Update") : (1, "Create");
        var severityId = OcsfEvent.SeverityId(notice.Severity);
        static long Ms(DateTimeOffset t) => OcsfEvent.Time(t);
        var info = new JsonObject
        {
            ["uid"] = notice.FindingId.ToString(CultureInfo.InvariantCulture),
            ["title"] = notice.Title,
            ["desc"] = $"{notice.RuleName}: {notice.Count} for {notice.GroupField} {notice.GroupKey}",
            ["types"] = new JsonArray(notice.RuleKind),
            ["first_seen_time"] = Ms(notice.FirstSeen),
            ["last_seen_time"] = Ms(notice.LastSeen),
            ["analytic"] = new JsonObject { ["name"] = notice.RuleName, ["type_id"] = 1, ["type"] = "Rule", ["category"] = notice.RuleKind },
        };
        if (Uri.IsWellFormedUriString(link, UriKind.Absolute))
        {
            info["src_url"] = link;
        }
        var unmapped = new JsonObject
        {
            ["flowlens_event"] = @event,
            ["link"] = link,
            ["group_field"] = notice.GroupField,
            ["group_key"] = notice.GroupKey,
            ["evidence_filter"] = notice.EvidenceFilter,
            ["evidence_from"] = OcsfEvent.IsoTime(notice.EvidenceFrom),
            ["evidence_to"] = OcsfEvent.IsoTime(notice.EvidenceTo),
        };
        if (notice.Details is { Count: > 0 } details)
        {
            unmapped["details"] = new JsonObject(details.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        }
        var finding = OcsfEvent.Create(2004, "Detection Finding", 2, "Findings", activityId, activity);
        finding["time"] = Ms(sentAt);
        finding["severity_id"] = severityId;
        finding["severity"] = OcsfEvent.Severity(severityId);
        finding["status_id"] = 1;
        finding["status"] = "New";
        finding["message"] = notice.Title;
        finding["count"] = notice.Count;
        finding["start_time"] = Ms(notice.FirstSeen);
        finding["end_time"] = Ms(notice.LastSeen);
        finding["finding_info"] = info;
        finding["observables"] = new JsonArray(OcsfEvent.Observable(notice.GroupField, notice.GroupKey));
        finding["metadata"] = OcsfEvent.Metadata(delivery.ToString());
        finding["unmapped"] = unmapped;
        return Encoding.UTF8.GetBytes(finding.ToJsonString());
    }

    /// <summary>
    /// A Slack incoming-webhook message in Block Kit: a header with severity and rule, the title, the key, count and
    /// times, and an "Open in FlowLens" button (only with an absolute link: Slack wants a full URL).
    /// </summary>
    public static byte[] Slack(FindingNotice notice, string @event, string link)
    {
        var severity = notice.Severity.ToUpperInvariant();
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(Cut($"{SeverityMark(notice.Severity)} {severity} · {notice.RuleName}{(@event == NotificationEvents.Test ? " (test)" : "")}", 150)),
            },
            new JsonObject { ["type"] = "section", ["text"] = Markdown(Cut($"*{Escape(notice.Title)}*", 3000)) },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(
                    Markdown(Cut($"*{Escape(notice.GroupField)}*\n`{Escape(notice.GroupKey)}`", 2000)),
                    Markdown($"*Count*\n{notice.Count.ToString("N0", CultureInfo.InvariantCulture)}"),
                    Markdown($"*First seen*\n{Time(notice.FirstSeen)}"),
                    Markdown($"*Last seen*\n{Time(notice.LastSeen)}")),
            },
            new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(Markdown(Cut($"{Escape(notice.RuleKind)} · finding #{notice.FindingId} · {Escape(@event)}", 2000))),
            },
        };
        if (Uri.IsWellFormedUriString(link, UriKind.Absolute))
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject
                {
                    ["type"] = "button",
                    ["action_id"] = "open-finding",
                    ["text"] = PlainText("Open in FlowLens"),
                    ["url"] = link,
                }),
            });
        }
        var message = new JsonObject
        {
            // The notification's text (phones, screen readers); the blocks are the message.
            ["text"] = Cut($"{severity} {notice.RuleName} {notice.GroupKey}: {notice.Title}", 3000),
            ["blocks"] = blocks,
        };
        return Encoding.UTF8.GetBytes(message.ToJsonString());
    }

    /// <summary>The email's subject, e.g. <c>[FlowLens] HIGH port-scan 203.0.113.9</c>.</summary>
    public static string Subject(FindingNotice notice, string @event) =>
        OneLine($"[FlowLens] {(@event == NotificationEvents.Test ? "TEST " : "")}{notice.Severity.ToUpperInvariant()} {notice.RuleName} {notice.GroupKey}");

    /// <summary>The email: plain text and HTML alternatives, both with the link.</summary>
    public static MimeMessage Email(FindingNotice notice, string @event, Guid delivery, string link, string from, IEnumerable<string> to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Subject = Subject(notice, @event);
        message.Headers.Add("X-FlowLens-Event", @event);
        message.Headers.Add("X-FlowLens-Delivery", delivery.ToString());
        var rows = new List<(string Name, string Value)>
        {
            ("Rule", $"{notice.RuleName} ({notice.RuleKind})"),
            ("Severity", notice.Severity),
            (notice.GroupField, notice.GroupKey),
            ("Count", notice.Count.ToString("N0", CultureInfo.InvariantCulture)),
            ("First seen", Time(notice.FirstSeen)),
            ("Last seen", Time(notice.LastSeen)),
            ("Evidence", $"{notice.EvidenceFilter} from {Time(notice.EvidenceFrom)} to {Time(notice.EvidenceTo)}"),
        };
        rows.AddRange((notice.Details ?? new Dictionary<string, string>()).Select(d => (d.Key, d.Value)));
        var text = new StringBuilder().AppendLine(notice.Title).AppendLine();
        foreach (var (name, value) in rows)
        {
            text.Append(name).Append(": ").AppendLine(value);
        }
        text.AppendLine().Append("Open in FlowLens: ").AppendLine(link);
        var html = new StringBuilder()
            .Append("<html><body><h2>").Append(WebUtility.HtmlEncode(notice.Title)).Append("</h2><table>");
        foreach (var (name, value) in rows)
        {
            html.Append("<tr><th align=\"left\">").Append(WebUtility.HtmlEncode(name)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }
        html.Append("</table><p><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">Open in FlowLens</a></p></body></html>");
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    /// <summary>A made-up finding for "send test".</summary>
    public static FindingNotice Sample(DateTimeOffset now) => new(
        0, "test", "test", "low", "Test notification from FlowLens", "srcaddr", "203.0.113.9",
        now.AddMinutes(-10), now, 42, "srcaddr = 203.0.113.9", now.AddMinutes(-10), now,
        new Dictionary<string, string> { ["note"] = "This is a test: no finding was opened." });

    private static string SeverityMark(string severity) => severity switch
    {
        "critical" => ":red_circle:",
        "high" => ":large_orange_circle:",
        "medium" => ":large_yellow_circle:",
        _ => ":white_circle:",
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    // Slack's mrkdwn reads <...> as links and mentions: the three characters it asks to escape.
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>True for a loopback host: <c>localhost</c> or a loopback address.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
