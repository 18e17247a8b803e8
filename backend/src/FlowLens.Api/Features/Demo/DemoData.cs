using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Features.Demo;

/// <summary>
/// <c>FlowLens.Api demo-data DIR</c>: writes the last 24 hours of synthetic flow logs into DIR as AWS delivers
/// them to S3 (gzip, one object every 5 minutes), for the local demo and the compose demo.
/// </summary>
public static class DemoData
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "demo-data";

    public static int Run(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: FlowLens.Api demo-data <folder>");
            return 2;
        }
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var keys = SyntheticFlowLogFiles.WriteDay(args[1], start, files: 288, recordsPerFile: 500, seed: 2026);
        Console.WriteLine($"Wrote {keys.Count} flow log objects ({keys.Count * 500:N0} records) under {Path.GetFullPath(args[1])}");
        return 0;
    }
}
