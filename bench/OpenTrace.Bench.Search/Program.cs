using OpenTrace.Bench.Search;

// dotnet run -c Release --project bench/OpenTrace.Bench.Search -- search [--sizes 100000,1000000] [--queries 200] [--dimensions 384] [--seed 42]
if (args.FirstOrDefault() != SearchSuite.Name)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/OpenTrace.Bench.Search -- search [--sizes 100000,1000000] [--queries 200] [--dimensions 384] [--seed 42]");
    return 2;
}

try
{
    return await SearchSuite.RunAsync(SearchArguments.Parse(args.Skip(1)), Console.Out);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
