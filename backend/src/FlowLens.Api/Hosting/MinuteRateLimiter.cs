using System.Threading.RateLimiting;

namespace FlowLens.Api.Hosting;

/// <summary>
/// A fixed window of permits per UTC minute (renewed at :00 of each minute, for everyone alike), so that a caller can
/// be told exactly how many requests remain and when they renew (<c>RateLimit</c> headers, #26). No queue: a
/// request over the limit fails at once, with the seconds to the next minute as its Retry-After.
/// </summary>
public sealed class MinuteRateLimiter(int permitsPerMinute, TimeProvider clock) : RateLimiter
{
    private readonly Lock _lock = new();
    private long _minute = -1;
    private int _used;

    /// <summary>Seconds until the next minute renews every caller's permits (1 to 60).</summary>
    public static int SecondsToReset(DateTimeOffset now) => 60 - now.Second;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                // Idle once its minute is over: the partitioned limiter may then drop it (a new one starts at 0 used).
                return Minute(clock.GetUtcNow()) != _minute ? TimeSpan.FromSeconds(1) : null;
            }
        }
    }

    public override RateLimiterStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = permitsPerMinute - (Minute(clock.GetUtcNow()) == _minute ? _used : 0) };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (Minute(now) != _minute)
            {
                (_minute, _used) = (Minute(now), 0);
            }
            if (_used + permitCount > permitsPerMinute)
            {
                return new Lease(false, TimeSpan.FromSeconds(SecondsToReset(now)));
            }
            _used += permitCount;
            return new Lease(true, null);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private static long Minute(DateTimeOffset now) => now.ToUnixTimeSeconds() / 60;

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
