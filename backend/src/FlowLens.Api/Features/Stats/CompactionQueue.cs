using Hangfire;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Queues the rollups' compaction after a load, at most once every <see cref="Interval"/> in this process: loads that
/// come many a second (Firehose requests, queue messages) share one. A load within the interval of the last queued
/// compaction is covered by one more, queued when the interval ends, so every load's sums are merged soon after it.
/// </summary>
public sealed class CompactionQueue(IBackgroundJobClient jobs, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private DateTimeOffset _queuedAt = DateTimeOffset.MinValue;
    private bool _trailing;

    /// <summary>Call after a load's commit.</summary>
    public void AfterLoad()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (now - _queuedAt >= Interval)
            {
                Queue(now);
            }
            else if (!_trailing)
            {
                _trailing = true;
                // If the process stops before, the scheduled compaction (every ten minutes) merges what is left.
                _ = QueueLaterAsync(_queuedAt + Interval - now);
            }
        }
    }

    private async Task QueueLaterAsync(TimeSpan wait)
    {
        await Task.Delay(wait, clock);
        lock (_gate)
        {
            _trailing = false;
            Queue(clock.GetUtcNow());
        }
    }

    private void Queue(DateTimeOffset now)
    {
        _queuedAt = now;
        jobs.Enqueue<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
    }
}
