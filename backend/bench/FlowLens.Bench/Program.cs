using FlowLens.Bench;

// Benchmarks print their figures; docs/benchmarks.md records them with the command that produced them.
return args.FirstOrDefault() switch
{
    "parse" => await ParseBenchmark.RunAsync(),
    "ingest" => await IngestBenchmark.RunAsync(args.Skip(1).ToArray()),
    "stats" => await StatsBenchmark.RunAsync(args.Skip(1).ToArray()),
    "load" => await LoadBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project backend/bench/FlowLens.Bench -- parse | ingest [records] [--one-object] | stats [records] | load [records] [--think-ms 1000]");
    return 2;
}
