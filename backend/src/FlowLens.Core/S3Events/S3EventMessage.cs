using System.Net;
using System.Text.Json;

namespace FlowLens.Core.S3Events;

/// <summary>An object written to a bucket, as an S3 event notification names it.</summary>
/// <param name="Key">The object's key, decoded (S3's own notifications URL-encode it; EventBridge's do not).</param>
/// <param name="ETag">The object's entity tag without quotes, as a listing gives it; null when the event has none.</param>
public sealed record S3ObjectCreated(string Bucket, string Key, long Size, string? ETag);

/// <summary>
/// What one SQS message fed by a bucket's event notifications holds: the objects created, whether it was S3's
/// <c>s3:TestEvent</c>, how many other events (deletions, restores…) it carried, or why it is not such a message.
/// </summary>
public sealed record S3EventMessageContent(IReadOnlyList<S3ObjectCreated> Created, bool IsTestEvent, int OtherEvents, string? Error)
{
    public static S3EventMessageContent Invalid(string error) => new([], false, 0, error);
}

/// <summary>
/// Reads the three shapes in which S3 event notifications reach a queue: S3's own message
/// (<c>{"Records": [...]}</c>), the same wrapped by SNS (<c>{"Type": "Notification", "Message": "..."}</c>,
/// unless raw delivery is on), and EventBridge's (<c>{"detail-type": "Object Created", "source": "aws.s3",
/// "detail": {...}}</c>). Never throws on input.
/// </summary>
public static class S3EventMessage
{
    /// <summary>Messages larger than SQS's limit are not S3 notifications.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static S3EventMessageContent Parse(string body)
    {
        if (body.Length > MaxBytes)
        {
            return S3EventMessageContent.Invalid($"the message is {body.Length} characters, more than an S3 notification");
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return S3EventMessageContent.Invalid("the message is not a JSON object");
            }
            if (Text(root, "Type") == "Notification")
            {
                // SNS's envelope: the S3 notification is the Message, as a string.
                return Text(root, "Message") is { Length: > 0 } inner ? ParseInner(inner) : S3EventMessageContent.Invalid("the SNS notification has no Message");
            }
            return ParseRoot(root);
        }
        catch (JsonException e)
        {
            return S3EventMessageContent.Invalid($"the message is not JSON ({Where(e)})");
        }
    }

    private static S3EventMessageContent ParseInner(string message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? ParseRoot(document.RootElement)
                : S3EventMessageContent.Invalid("the SNS notification's Message is not a JSON object");
        }
        catch (JsonException e)
        {
            return S3EventMessageContent.Invalid($"the SNS notification's Message is not JSON ({Where(e)})");
        }
    }

    private static S3EventMessageContent ParseRoot(JsonElement root)
    {
        if (Text(root, "Event") == "s3:TestEvent")
        {
            return new S3EventMessageContent([], true, 0, null);
        }
        if (root.TryGetProperty("Records", out var records) && records.ValueKind == JsonValueKind.Array)
        {
            return ParseRecords(records);
        }
        if (Text(root, "source") == "aws.s3" && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Object)
        {
            return ParseEventBridge(Text(root, "detail-type"), detail);
        }
        return S3EventMessageContent.Invalid("not an S3 event notification (no Records, no EventBridge aws.s3 event, not s3:TestEvent)");
    }

    /// <summary>S3's own shape: one record per event; the key is URL-encoded (a space is <c>+</c>).</summary>
    private static S3EventMessageContent ParseRecords(JsonElement records)
    {
        var created = new List<S3ObjectCreated>();
        var others = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object || Text(record, "eventSource") != "aws:s3")
            {
                return S3EventMessageContent.Invalid("a record is not an S3 event (eventSource is not aws:s3)");
            }
            if (Text(record, "eventName") is not { } name || !name.StartsWith("ObjectCreated:", StringComparison.Ordinal))
            {
                others++;
                continue;
            }
            if (!record.TryGetProperty("s3", out var s3)
                || Text(s3, "bucket", "name") is not { Length: > 0 } bucket
                || Text(s3, "object", "key") is not { Length: > 0 } key)
            {
                return S3EventMessageContent.Invalid($"an {name} record names no bucket or key");
            }
            var item = s3.GetProperty("object");
            created.Add(new S3ObjectCreated(bucket, WebUtility.UrlDecode(key), Size(item, "size"), ETag(Text(item, "eTag"))));
        }
        return new S3EventMessageContent(created, false, others, null);
    }

    /// <summary>EventBridge's shape: one event a message; the key is not encoded.</summary>
    private static S3EventMessageContent ParseEventBridge(string? detailType, JsonElement detail)
    {
        if (detailType != "Object Created")
        {
            return new S3EventMessageContent([], false, 1, null);
        }
        if (Text(detail, "bucket", "name") is not { Length: > 0 } bucket || Text(detail, "object", "key") is not { Length: > 0 } key)
        {
            return S3EventMessageContent.Invalid("an Object Created event names no bucket or key");
        }
        var item = detail.GetProperty("object");
        return new S3EventMessageContent([new S3ObjectCreated(bucket, key, Size(item, "size"), ETag(Text(item, "etag")))], false, 0, null);
    }

    /// <summary>Where the JSON broke, without quoting the message: whoever can send to the queue writes it.</summary>
    private static string Where(JsonException e) => $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}";

    private static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static long Size(JsonElement item, string name) =>
        item.TryGetProperty(name, out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var value) && value >= 0 ? value : 0;

    private static string? ETag(string? etag) => etag is { Length: > 0 } ? etag.Trim('"') : null;
}
