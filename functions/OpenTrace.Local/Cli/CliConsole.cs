using Spectre.Console;

namespace OpenTrace.Local.Cli;

/// <summary>
/// Console output: a live progress display on a terminal, plain lines when output is redirected or
/// <c>--no-progress</c> is given (so logs and CI stay readable).
/// </summary>
internal sealed class CliConsole
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;

    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        _out = output;
        _error = error;
        Interactive = interactive;
    }

    /// <summary>True when a live progress display may be drawn.</summary>
    public bool Interactive { get; }

    public TextWriter Out => _out;

    public static CliConsole ForProcess(bool noProgress) =>
        new(System.Console.Out, System.Console.Error, !noProgress && !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);

    public void Line(string text = "") => _out.WriteLine(text);

    public void Error(string text) => _error.WriteLine(text);

    /// <summary>
    /// Runs <paramref name="work"/> while showing progress. On a terminal each reported stage is a live bar;
    /// otherwise a line is printed when a stage starts and when it completes.
    /// </summary>
    public async Task<T> ProgressAsync<T>(string title, Func<IProgressSink, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(new PlainProgress(_out));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                result = await work(new LiveProgress(ctx));
            });
        _ = title;
        return result;
    }
}

/// <summary>Where long work reports progress: one entry per stage or file.</summary>
internal interface IProgressSink
{
    /// <summary>Starts (or updates) an entry; <paramref name="total"/> null means indeterminate.</summary>
    void Report(string key, string description, double done, double? total);

    /// <summary>Marks an entry complete with a closing description.</summary>
    void Complete(string key, string description);
}

internal sealed class PlainProgress(TextWriter output) : IProgressSink
{
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Report(string key, string description, double done, double? total)
    {
        lock (_lock)
        {
            if (_started.Add(key))
            {
                output.WriteLine($"… {description}");
            }
        }
    }

    public void Complete(string key, string description)
    {
        lock (_lock)
        {
            _started.Add(key);
            output.WriteLine($"✓ {description}");
        }
    }
}

internal sealed class LiveProgress(ProgressContext context) : IProgressSink
{
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Report(string key, string description, double done, double? total)
    {
        lock (_lock)
        {
            var task = Get(key, description);
            task.Description = Markup.Escape(description);
            task.IsIndeterminate = total is null;
            if (total is not null)
            {
                task.MaxValue = Math.Max(total.Value, 1);
                task.Value = Math.Min(done, task.MaxValue);
            }
        }
    }

    public void Complete(string key, string description)
    {
        lock (_lock)
        {
            var task = Get(key, description);
            task.Description = Markup.Escape(description);
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    private ProgressTask Get(string key, string description)
    {
        if (!_tasks.TryGetValue(key, out var task))
        {
            task = context.AddTask(Markup.Escape(description), autoStart: true);
            _tasks[key] = task;
        }

        return task;
    }
}
