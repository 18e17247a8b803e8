using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Stats;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.S3Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion.Queue;

/// <summary>
/// In every worker process, long-polls the queue of each enabled <c>s3</c> source that names one. A message's flow
/// log objects go into the ledger and are loaded at once, through the same <see cref="IngestObjectJob"/> as listed
/// ones (its ledger lock makes a duplicate delivery, a redelivery after a crash, or two workers receiving the same
/// key store the object once). The message is deleted only when every object it names is committed; while they load,
/// its visibility is extended. A message that cannot be read, or whose object failed, is left to come back and, after
/// the queue's <c>maxReceiveCount</c>, to its redrive policy (dead-letter queue), the object's reason in the ledger.
/// </summary>
public sealed class S3QueueListener(
    IServiceScopeFactory scopes, NpgsqlDataSource dataSource, SourceClients clients, IOptions<IngestionOptions> options, TimeProvider clock,
    ILogger<S3QueueListener> logger) : BackgroundService
{
    /// <summary>How often the listener looks for queue sources added, changed, disabled or removed.</summary>
    private static readonly TimeSpan SourcesRefresh = TimeSpan.FromSeconds(5);

    /// <summary>How a source's <c>lastError</c> starts when the queue itself failed (not one of its messages).</summary>
    private const string QueueError = "the queue: ";

    private readonly Dictionary<long, (Source Source, CancellationTokenSource Stop, Task Polling)> _pollers = [];

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await RefreshAsync(stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not read the queue sources; trying again in {Seconds} s", SourcesRefresh.TotalSeconds);
                }
                await Task.Delay(SourcesRefresh, clock, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var id in _pollers.Keys.ToList())
            {
                await StopAsync(id);
            }
        }
    }

    /// <summary>One poller per enabled queue source, started again when its settings change.</summary>
    private async Task RefreshAsync(CancellationToken stopping)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var sources = (await db.Sources.AsNoTracking().Where(s => s.Kind == SourceKinds.S3 && s.Enabled).ToListAsync(stopping))
            .Where(s => s.S3?.Sqs is { QueueUrl.Length: > 0 })
            .ToDictionary(s => s.Id);
        foreach (var (id, poller) in _pollers.ToList())
        {
            if (!sources.TryGetValue(id, out var source) || source.S3 != poller.Source.S3)
            {
                await StopAsync(id);
            }
        }
        foreach (var source in sources.Values.Where(s => !_pollers.ContainsKey(s.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _pollers[source.Id] = (source, stop, Task.Run(() => PollAsync(source, stop.Token), CancellationToken.None));
        }
    }

    private async Task StopAsync(long id)
    {
        var (_, stop, polling) = _pollers[id];
        _pollers.Remove(id);
        await stop.CancelAsync();
        await polling;
        stop.Dispose();
    }

    private async Task PollAsync(Source source, CancellationToken ct)
    {
        var s3 = source.S3!;
        var queue = s3.Sqs! with { Region = s3.Sqs.Region ?? s3.Region };
        var failures = 0;
        logger.LogInformation("Source {SourceId}: listening to {QueueUrl}", source.Id, queue.QueueUrl);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var sqs = clients.Sqs(queue);
                var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queue.QueueUrl,
                    MaxNumberOfMessages = 10,
                    WaitTimeSeconds = options.Value.QueueWaitSeconds,
                    VisibilityTimeout = options.Value.QueueVisibilitySeconds,
                }, ct);
                failures = 0;
                if (received.Messages is not { Count: > 0 } messages)
                {
                    if (options.Value.QueueWaitSeconds == 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
                    }
                    continue;
                }
                if (await HandleBatchAsync(source, sqs, queue.QueueUrl, messages, ct) > 0)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<CompactionQueue>().AfterLoad();
                    await scope.ServiceProvider.GetRequiredService<FlowLensDb>().Sources.Where(s => s.Id == source.Id)
                        .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastRunFinishedAt, clock.GetUtcNow())
                            // The queue answers again; a message's own error stays until the next one is recorded.
                            .SetProperty(s => s.LastError, s => s.LastError != null && s.LastError.StartsWith(QueueError) ? null : s.LastError), ct);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The queue is unreachable or refuses us: say so on the source, and back off (up to a minute).
                failures++;
                var error = SourceErrors.Describe(e, logger, $"Source {source.Id}: the queue {queue.QueueUrl}");
                await RecordErrorAsync(source.Id, QueueError + error);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(failures, 6))), clock, ct);
                }
                catch (OperationCanceledException)
                {
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Handles a batch with up to <c>QueueParallelism</c> messages at once, keeping the unfinished ones invisible; returns the objects stored.</summary>
    private async Task<int> HandleBatchAsync(Source source, AmazonSQSClient sqs, string queueUrl, List<Message> messages, CancellationToken ct)
    {
        // By position: a batch may hold one message twice (SQS delivers at least once).
        var inFlight = new ConcurrentDictionary<int, string>(messages.Select((m, i) => KeyValuePair.Create(i, m.ReceiptHandle)));
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = KeepInvisibleAsync(sqs, queueUrl, inFlight, done.Token);
        var stored = 0;
        try
        {
            await Parallel.ForEachAsync(messages.Select((m, i) => (Message: m, Index: i)),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.QueueParallelism, CancellationToken = ct },
                async (item, token) =>
                {
                    Interlocked.Add(ref stored, await HandleAsync(source, sqs, queueUrl, item.Message, token));
                    inFlight.TryRemove(item.Index, out _);
                });
        }
        finally
        {
            await done.CancelAsync();
            await heartbeat;
        }
        return stored;
    }

    /// <summary>Every third of the visibility timeout, extends it for the messages still being handled.</summary>
    private async Task KeepInvisibleAsync(AmazonSQSClient sqs, string queueUrl, ConcurrentDictionary<int, string> inFlight, CancellationToken ct)
    {
        var seconds = options.Value.QueueVisibilitySeconds;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds / 3.0), clock, ct);
                foreach (var chunk in inFlight.ToArray().Chunk(10))
                {
                    await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
                    {
                        QueueUrl = queueUrl,
                        Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ReceiptHandle = m.Value, VisibilityTimeout = seconds })],
                    }, ct);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            // Without the heartbeat a long load may become visible again: a second worker then waits on its ledger lock.
            logger.LogWarning(e, "Could not extend the visibility of queue messages in {QueueUrl}", queueUrl);
        }
    }

    /// <summary>
    /// Records the message's flow log objects in the ledger, loads the pending ones, and deletes the message once all
    /// are committed; returns how many objects this call stored.
    /// </summary>
    private async Task<int> HandleAsync(Source source, AmazonSQSClient sqs, string queueUrl, Message message, CancellationToken ct)
    {
        var s3 = source.S3!;
        var content = S3EventMessage.Parse(message.Body ?? "");
        if (content.Error is { } error)
        {
            logger.LogWarning("Source {SourceId}: queue message {MessageId} is left to the queue's redrive policy: {Error}", source.Id, message.MessageId, error);
            await RecordErrorAsync(source.Id, $"queue message {message.MessageId}: {error}");
            return 0;
        }
        // Only this source's bucket and prefix: a message cannot make FlowLens read another bucket.
        var now = clock.GetUtcNow();
        var objects = content.Created
            .Where(o => o.Bucket == s3.Bucket && o.Key.StartsWith(s3.Prefix, StringComparison.Ordinal) && FlowLogFiles.IsFlowLog(o.Key))
            .Select(o => new StoredObject(o.Key, o.ETag ?? "", o.Size, now))
            .DistinctBy(o => (o.Key, o.ETag))
            .ToList();
        var stored = 0;
        if (objects.Count > 0)
        {
            await SourceLedger.RecordAsync(dataSource, source.Id, objects, now, ct);
            foreach (var (id, state) in await SourceLedger.EntriesAsync(dataSource, source.Id, objects, ct))
            {
                if (state == ObjectStates.Pending && await LoadAsync(id, ct))
                {
                    stored++;
                }
            }
            var left = (await SourceLedger.EntriesAsync(dataSource, source.Id, objects, ct))
                .Where(e => e.State is not (ObjectStates.Ingested or ObjectStates.Replaced))
                .ToList();
            if (left.Count > 0)
            {
                // Pending (a transient failure) comes back after the visibility timeout; failed goes on to the redrive policy.
                logger.LogInformation("Source {SourceId}: queue message {MessageId} kept: objects {Objects} not ingested", source.Id, message.MessageId,
                    string.Join(", ", left.Select(e => $"{e.Id} ({e.State})")));
                return stored;
            }
        }
        await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle, ct);
        return stored;
    }

    /// <summary>Loads one pending object as its job would; true when it ended ingested by this call.</summary>
    private async Task<bool> LoadAsync(long objectId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await ActivatorUtilities.CreateInstance<IngestObjectJob>(scope.ServiceProvider).RunAsync(objectId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Already described in the ledger (the object stays pending with its error); the message comes back.
            logger.LogDebug(e, "Object {ObjectId} will be tried again when its message comes back", objectId);
            return false;
        }
        return await scope.ServiceProvider.GetRequiredService<FlowLensDb>().SourceObjects
            .AnyAsync(o => o.Id == objectId && o.State == ObjectStates.Ingested, ct);
    }

    private async Task RecordErrorAsync(long sourceId, string error)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<FlowLensDb>().Sources.Where(s => s.Id == sourceId)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastError, error));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record the error of source {SourceId}", sourceId);
        }
    }
}
