using System.Globalization;
using OpenTrace.Core.Samples;
using OpenTrace.Local.Cli;

namespace OpenTrace.Local.Commands;

/// <summary><c>opentrace generate --scale S --seed N --out DIR [--dirty]</c>: the Olist-shaped sample data.</summary>
internal sealed class GenerateCommand : ICommand
{
    public string Name => "generate";

    public string Usage => "generate [--scale 1.0] [--seed 42] --out <dir> [--dirty]";

    public string Summary => "Write the nine Olist files at any scale, deterministically (same seed, same bytes).";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = new OlistGeneratorOptions
        {
            Scale = context.Arguments.OptionDouble("scale", 1.0),
            Seed = context.Arguments.OptionLong("seed", 42),
            Dirty = context.Arguments.Flag("dirty"),
        };
        var output = context.Arguments.Option("out") ?? throw new UsageException("--out <dir> is required.");
        context.Arguments.RejectUnknownOptions();
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UsageException($"--scale must be above 0 and at most {OlistGeneratorOptions.MaxScale.ToString(CultureInfo.InvariantCulture)}: {ex.Message}");
        }

        var summary = await GenerateAsync(options, output, context.Console, cancellationToken);
        context.Console.Line(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {summary.Files.Count} files, {summary.TotalRows:N0} rows, {summary.TotalBytes / 1_048_576.0:N1} MiB to {Path.GetFullPath(output)} in {summary.Elapsed.TotalSeconds:N1} s."));
        return 0;
    }

    /// <summary>Generates into <paramref name="directory"/> with a progress entry per file.</summary>
    internal static Task<OlistGenerationSummary> GenerateAsync(OlistGeneratorOptions options, string directory, CliConsole console, CancellationToken cancellationToken) =>
        console.ProgressAsync("generate", async sink =>
        {
            var progress = new SynchronousProgress<OlistGenerationProgress>(p =>
            {
                var text = string.Create(CultureInfo.InvariantCulture, $"{p.FileName}: {p.FileRows:N0} rows");
                if (p.FileCompleted)
                {
                    sink.Complete(p.FileName, text);
                }
                else
                {
                    sink.Report(p.FileName, text, p.FileRows, null);
                }
            });
            return await new OlistGenerator(options).WriteToDirectoryAsync(directory, progress, cancellationToken);
        });

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
