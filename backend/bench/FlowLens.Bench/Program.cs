using FlowLens.Bench;

// Benchmarks print their figures; docs/benchmarks.md records them with the command that produced them.
return args.FirstOrDefault() switch
{
    "parse" => await ParseBenchmark.RunAsync(args.Skip(1).ToArray()),
    "ingest" => await IngestBenchmark.RunAsync(args.Skip(1).ToArray()),
    "stats" => await StatsBenchmark.RunAsync(args.Skip(1).ToArray()),
    "load" => await LoadBenchmark.RunAsync(args.Skip(1).ToArray()),
    "filters" => await FilterBenchmark.RunAsync(args.Skip(1).ToArray()),
    "detect" => await DetectBenchmark.RunAsync(args.Skip(1).ToArray()),
    "discover" => await DiscoverBenchmark.RunAsync(args.Skip(1).ToArray()),
    "firehose" => await FirehoseBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project backend/bench/FlowLens.Bench -- parse [--objects] | ingest [records] [--days 1] [--addresses 200000] [--inside 3000] [--format v2|v5] [--rounds 3] [--settle-timeout 600] [--upkeep 50000,200000] [--one-object] | stats [records] [--addresses 200000] [--inside 3000] [--format v5] [--settle-timeout 3600] | load [records] [--think-ms 1000] | filters [records] [--ranges 5000] [--addresses 200000] [--inside 3000] | detect [records] [--addresses 200000] [--inside 3000] | discover [keys] [--prefixes 500] [--new 20] [--rounds 3] [--notifications 2000] | firehose [records] [--format v5] [--request-mib 1,5] [--parallel 2] [--addresses 200000] [--inside 3000]");
    return 2;
}
