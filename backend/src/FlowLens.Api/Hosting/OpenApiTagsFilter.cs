using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FlowLens.Api.Hosting;

/// <summary>The document's tags, each with what it groups, and its server: the address the document is read from.</summary>
internal sealed class OpenApiTagsFilter : IDocumentFilter
{
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Audit"] = "Security-relevant actions, newest first (admins).",
        ["Auth"] = "Who the caller is; people's sign-in, sign-out, password and sessions; single sign-on.",
        ["Context"] = "What an address is: network names, AWS ranges and resources, country and ASN, threat lists.",
        ["Detections"] = "Rules and the findings they open: list, count, triage.",
        ["Filter"] = "The filter language's fields and values, for building a `q`.",
        ["Flows"] = "Search flow log records (cursor pages) and export them as CSV, NDJSON or OCSF.",
        ["Health"] = "Readiness and liveness, for load balancers and orchestrators.",
        ["Ingestion"] = "Records pushed to FlowLens: the Amazon Data Firehose HTTP endpoint.",
        ["Keys"] = "API keys for tools, with a role, a scope and an expiry (admins).",
        ["Networks"] = "Names for address blocks: your VPCs, offices, partners.",
        ["Notifications"] = "Where findings are sent (webhook, Slack, email) and what was sent.",
        ["Searches"] = "Saved searches: a name for a filter and a range.",
        ["Settings"] = "Versions and the effective settings, secrets left out (admins).",
        ["Sources"] = "Where flow logs come from (S3, CloudWatch Logs, a folder, Firehose), their state and ledger.",
        ["Stats"] = "Summaries, top lists, time series and scans over a range and a filter.",
        ["Threat lists"] = "Lists of bad addresses and blocks that flows are checked against.",
        ["Users"] = "People who sign in, with a role and a scope (admins).",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()).SelectMany(o => o.Tags ?? Enumerable.Empty<OpenApiTagReference>()).Select(t => t.Name).ToHashSet();
        document.Tags = new HashSet<OpenApiTag>(Tags.Where(t => used.Contains(t.Key)).Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        document.Servers = [new OpenApiServer { Url = "/", Description = "This FlowLens: the address this document was read from." }];
    }
}
