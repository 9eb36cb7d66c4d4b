using OpenTrace.Local.Cli;
using OpenTrace.Local.Commands;

return await OpenTraceCli.RunAsync(args,
[
    new DemoCommand(),
    new UpCommand(),
    new IngestCommand(),
    new QueryCommand(),
    new StatusCommand(),
    new ReplayCommand(),
    new QuarantineCommand(),
    new GoldCommand(),
    new FeaturesCommand(),
    new TrainCommand(),
    new QaCommand(),
    new GenerateCommand(),
]);
