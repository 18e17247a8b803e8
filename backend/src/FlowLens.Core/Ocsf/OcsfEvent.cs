using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;

namespace FlowLens.Core.Ocsf;

/// <summary>
/// What every OCSF event FlowLens writes shares (flows as Network Activity, findings as Detection Finding): the schema
/// version, the classification, the metadata and the enums both use. docs/ocsf.md maps each class.
/// </summary>
public static class OcsfEvent
{
    /// <summary>The OCSF schema version of every event, <c>metadata.version</c>.</summary>
    public const string Version = "1.3.0";

    /// <summary>FlowLens's own version, <c>metadata.product.version</c>.</summary>
    public static readonly string ProductVersion =
        typeof(OcsfEvent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>OCSF times are epoch milliseconds.</summary>
    public static long Time(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>
    /// A new event of a class: <c>class_uid</c>, <c>category_uid</c>, <c>activity_id</c> with their names, and
    /// <c>type_uid</c> = class × 100 + activity with its name (<c>Network Activity: Traffic</c>).
    /// </summary>
    public static JsonObject Create(int classUid, string className, int categoryUid, string categoryName, int activityId, string activityName,
        string? typeActivityName = null) => new()
        {
            ["class_uid"] = classUid,
            ["class_name"] = className,
            ["category_uid"] = categoryUid,
            ["category_name"] = categoryName,
            ["activity_id"] = activityId,
            ["activity_name"] = activityName,
            ["type_uid"] = classUid * 100L + activityId,
            ["type_name"] = $"{className}: {typeActivityName ?? activityName}",
        };

    /// <summary><c>metadata</c>: the schema version and FlowLens as the product; <paramref name="uid"/> names the event.</summary>
    public static JsonObject Metadata(string? uid)
    {
        var metadata = new JsonObject { ["version"] = Version };
        if (uid is not null)
        {
            metadata["uid"] = uid;
        }
        metadata["product"] = new JsonObject { ["name"] = "FlowLens", ["vendor_name"] = "FlowLens", ["version"] = ProductVersion };
        return metadata;
    }

    /// <summary>OCSF <c>severity_id</c> of a FlowLens severity: low 2, medium 3, high 4, critical 5 (anything else 0, unknown).</summary>
    public static int SeverityId(string severity) => severity switch
    {
        "low" => 2,
        "medium" => 3,
        "high" => 4,
        "critical" => 5,
        _ => 0,
    };

    /// <summary>The caption of a <c>severity_id</c>.</summary>
    public static string Severity(int severityId) => severityId switch
    {
        1 => "Informational",
        2 => "Low",
        3 => "Medium",
        4 => "High",
        5 => "Critical",
        _ => "Unknown",
    };

    /// <summary>An observable: an IP address (type 2) when the value is one, else Other (99).</summary>
    public static JsonObject Observable(string name, string value) => IPAddress.TryParse(value, out _)
        ? new JsonObject { ["name"] = name, ["value"] = value, ["type_id"] = 2, ["type"] = "IP Address" }
        : new JsonObject { ["name"] = name, ["value"] = value, ["type_id"] = 99, ["type"] = "Other" };

    /// <summary>A time as ISO 8601 UTC, for <c>unmapped</c> values that are times.</summary>
    public static string IsoTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
