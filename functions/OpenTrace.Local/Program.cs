using OpenTrace.Local.Cli;
using OpenTrace.Local.Commands;

return await OpenTraceCli.RunAsync(args,
[
    new DemoCommand(),
    new UpCommand(),
    new IngestCommand(),
    new QueryCommand(),
    new StatusCommand(),
    new GoldCommand(),
    new QaCommand(),
    new GenerateCommand(),
]);
