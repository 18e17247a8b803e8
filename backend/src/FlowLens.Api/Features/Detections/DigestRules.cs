using System.Security.Cryptography;
using System.Text;
using FlowLens.Api.Features.Context;
using FlowLens.Core.Detections;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>
/// The enabled threshold rules' parts (and the detectors that are filters) as ingestion sums them into digests
/// (<see cref="RuleDigest"/>), loaded at most every <see cref="Refresh"/>: a rule changed since is summed under its old
/// stamp for that long, and its windows are then read from the flows (the stamps differ), never judged wrongly; so
/// is a window whose filter's context (a network, a threat list) changed between ingestion and judging. Context is
/// resolved when loaded, over the detections' lookback.
/// </summary>
public sealed class DigestRules(NpgsqlDataSource dataSource, ContextFilters context, IOptions<DetectionOptions> options, TimeProvider clock, ILogger<DigestRules> logger)
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<DigestRule> Rules)? _loaded;

    public async Task<IReadOnlyList<DigestRule>> CurrentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_loaded is { } fresh && now - fresh.At < Refresh)
        {
            return fresh.Rules;
        }
        await _lock.WaitAsync(ct);
        try
        {
            if (_loaded is { } again && now - again.At < Refresh)
            {
                return again.Rules;
            }
            var rules = await LoadAsync(now, ct);
            _loaded = (now, rules);
            return rules;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets the loaded rules: the next batch loads them again (after a rule changed on this node).</summary>
    public void Invalidate() => _loaded = null;

    private async Task<IReadOnlyList<DigestRule>> LoadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var rules = new List<Rule>();
        await using (var command = dataSource.CreateCommand($"select {Rule.Columns} from rules where enabled order by id"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rules.Add(Rule.Read(reader));
            }
        }
        var range = new TimeRange(now - TimeSpan.FromHours(options.Value.LookbackHours) - TimeSpan.FromDays(1), now + TimeSpan.FromDays(1));
        var digestRules = new List<DigestRule>();
        foreach (var rule in rules)
        {
            foreach (var part in await ResolvePartsAsync(rule, context.ResolveAsync, range, logger, ct))
            {
                if (!FilterEvaluator.CanCompile(part.Resolved))
                {
                    logger.LogDebug("Detections: rule {Rule}'s filter cannot be judged on records; its windows are read from the flows", rule.Id);
                    continue;
                }
                FilterFields.TryFind(part.Query.GroupBy, out var group);
                digestRules.Add(new DigestRule(rule.Id, part.Index, part.Stamp, FilterEvaluator.Compile(part.Resolved), group!, part.Query.Metric,
                    DigestRule.LeastFor(part.Query.Threshold, rule.Size)));
            }
        }
        return digestRules;
    }

    /// <summary>One of a rule's threshold queries, its filter's context resolved, and its <see cref="Stamp"/>.</summary>
    public sealed record ResolvedPart(short Index, Detectors.ThresholdPart Query, FilterNode? Resolved, long Stamp);

    /// <summary>
    /// A rule's parts as ingestion sums them and judging reads them: each whose filter parses and whose group field is
    /// one (else logged and left out), its context resolved over <paramref name="range"/>.
    /// </summary>
    public static async Task<List<ResolvedPart>> ResolvePartsAsync(Rule rule, ThresholdJudge.Resolver resolve, TimeRange range, ILogger logger, CancellationToken ct)
    {
        var resolved = new List<ResolvedPart>();
        var parts = Parts(rule);
        for (var i = 0; i < parts.Count; i++)
        {
            var (filter, error) = FilterParser.Parse(parts[i].Filter);
            if (error is not null || !DetectionSql.IsGroupField(parts[i].GroupBy))
            {
                logger.LogWarning("Detections: rule {Rule} has a bad filter or group field ({Error}); skipped", rule.Id, error?.ToString() ?? parts[i].GroupBy);
                continue;
            }
            var node = await resolve(filter, range, ct);
            resolved.Add(new ResolvedPart((short)i, parts[i], node, Stamp(parts[i], node)));
        }
        return resolved;
    }

    /// <summary>A rule's threshold queries (<see cref="Detectors.ThresholdParts"/>).</summary>
    public static IReadOnlyList<Detectors.ThresholdPart> Parts(Rule rule) =>
        Detectors.ThresholdParts(rule.Kind, rule.Filter, rule.GroupBy, rule.Metric, rule.Threshold, rule.Parameters);

    /// <summary>
    /// What a part sums, as a number: its filter, group field and metric (not the threshold: the floors bound any), and
    /// the address sets its context resolved to (networks, AWS ranges, countries, threat lists as they were). Not the
    /// inventory's interfaces: those are resolved over time spans, and a record is judged by its own start.
    /// </summary>
    public static long Stamp(Detectors.ThresholdPart part, FilterNode? resolved)
    {
        var text = new StringBuilder($"{part.Filter}\n{part.GroupBy}\n{part.Metric}");
        void Walk(FilterNode? node)
        {
            switch (node)
            {
                case AndNode and: Walk(and.Left); Walk(and.Right); break;
                case OrNode or: Walk(or.Left); Walk(or.Right); break;
                case NotNode not: Walk(not.Operand); break;
                case ContextNode { Match: AddressSetMatch set }: text.Append('\n').Append(set.Multirange); break;
            }
        }
        Walk(resolved);
        return BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
