using System.Net.Sockets;
using FlowLens.Api.Hosting;
using FlowLens.Core.ThreatLists;
using Hangfire;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.ThreatLists;

/// <summary>
/// Fetches a list's URL through <see cref="ThreatListEndpoints"/> and stores what it holds. A failure (refused host,
/// redirect, error status, timeout, too big) is recorded on the list and its last good entries stay.
/// </summary>
public sealed class ThreatListFetcher(IHttpClientFactory http, ThreatListStore store, ThreatListEndpoints endpoints,
    IOptions<ThreatListsOptions> options, ILogger<ThreatListFetcher> log)
{
    public const string HttpClientName = "threat-lists";

    /// <summary>Refreshes list <paramref name="id"/> from its URL; null when there is no such list or it has no URL.</summary>
    public async Task<ThreatListResponse?> RefreshAsync(long id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { Url: { } url } list)
        {
            return null;
        }
        var (text, error) = await FetchAsync(url, ct);
        ThreatListResponse? result;
        if (text is not null)
        {
            var parse = ThreatListParser.Parse(text, new ThreatListLimits(options.Value.MaxBytes, options.Value.MaxEntries));
            error = parse.Error;
            result = error is null ? await store.ReplaceEntriesAsync(id, parse, ct) : null;
        }
        else
        {
            result = null;
        }
        if (error is not null)
        {
            log.LogWarning("Threat list {Name} was not refreshed; its entries stay: {Error}", list.Name, error);
            return await store.RecordFailureAsync(id, error, ct);
        }
        log.LogInformation("Threat list {Name} refreshed from {Url}: {Entries} entries, {Rejected} lines skipped", list.Name, url, result?.EntryCount, result?.RejectedLines);
        return result;
    }

    private async Task<(string? Text, string? Error)> FetchAsync(string url, CancellationToken ct)
    {
        if (endpoints.Refusal(url) is { } refusal)
        {
            return (null, refusal);
        }
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                return (null, $"The URL answered {status}: redirects are not followed; set the URL it points to.");
            }
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"The URL answered {status}.");
            }
            var max = options.Value.MaxBytes;
            if (response.Content.Headers.ContentLength > max)
            {
                return (null, $"The list is {response.Content.Headers.ContentLength} bytes; at most {max} are accepted.");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await ThreatListStore.ReadTextAsync(body, max, ct) is { } text
                ? (text, null)
                : (null, $"The list is more than {max} bytes; at most {max} are accepted.");
        }
        catch (HttpRequestException e) when (Refused(e) is { } refused)
        {
            return (null, $"Refused: {refused.Message}.");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return (null, e is TaskCanceledException
                ? $"The fetch took longer than {options.Value.FetchTimeoutSeconds} s."
                : $"The URL could not be fetched: {e.Message}");
        }
    }

    private static EndpointRefusedException? Refused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is EndpointRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }
}

/// <summary>The scheduled refresh of one list. Never fails (a failure is recorded on the list), so Hangfire does not retry against the URL.</summary>
public sealed class ThreatListRefreshJob(ThreatListFetcher fetcher)
{
    public static string JobId(long listId) => $"threat-list-{listId}";

    public Task RunAsync(long listId, CancellationToken ct) => fetcher.RefreshAsync(listId, ct);
}

/// <summary>The recurring refresh of each enabled list with a URL, in step with the database.</summary>
public sealed class ThreatListSchedules(IRecurringJobManager recurring, IOptions<ThreatListsOptions> options)
{
    public void Apply(ThreatListResponse list)
    {
        if (list is { Enabled: true, Url: not null })
        {
            recurring.AddOrUpdate<ThreatListRefreshJob>(ThreatListRefreshJob.JobId(list.Id), job => job.RunAsync(list.Id, CancellationToken.None),
                list.Schedule ?? options.Value.Schedule);
        }
        else
        {
            recurring.RemoveIfExists(ThreatListRefreshJob.JobId(list.Id));
        }
    }

    public void Remove(long listId) => recurring.RemoveIfExists(ThreatListRefreshJob.JobId(listId));
}
