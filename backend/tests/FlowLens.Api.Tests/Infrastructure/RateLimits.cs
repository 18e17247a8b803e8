namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>The request limits renew at each UTC minute (Hosting.MinuteRateLimiter), for every caller alike.</summary>
public static class RateLimits
{
    /// <summary>Waits, at most 6 seconds, until a test's few requests cannot straddle a minute's end.</summary>
    public static async Task AwayFromTheMinutesEndAsync()
    {
        while (DateTime.UtcNow.Second >= 54)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
