using System.Globalization;

namespace OpenTrace.Local.Cli;

/// <summary>
/// Parsed command line: a command, positional arguments and <c>--name value</c> / <c>--flag</c> options.
/// Options may appear anywhere after the command; <c>--</c> ends option parsing.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CliArguments(string? command, IReadOnlyList<string> positionals, Dictionary<string, string?> options)
    {
        Command = command;
        Positionals = positionals;
        _options = options;
    }

    public string? Command { get; }

    public IReadOnlyList<string> Positionals { get; }

    /// <summary>
    /// Parses <paramref name="args"/>. <paramref name="flags"/> names the options that take no value;
    /// every other option takes the next argument (or <c>--name=value</c>).
    /// </summary>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        string? command = null;
        var positionals = new List<string>();
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!onlyPositionals && arg == "--")
            {
                onlyPositionals = true;
                continue;
            }

            if (!onlyPositionals && arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                string? value = null;
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (!flags.Contains(name))
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"Option --{name} needs a value.");
                    }

                    value = args[++i];
                }

                options[name] = value;
                continue;
            }

            if (command is null)
            {
                command = arg;
            }
            else
            {
                positionals.Add(arg);
            }
        }

        return new CliArguments(command, positionals, options);
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public string? Option(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public double OptionDouble(string name, double fallback)
    {
        var text = Option(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} must be a number, got '{text}'.");
    }

    public long OptionLong(string name, long fallback)
    {
        var text = Option(name);
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} must be a whole number, got '{text}'.");
    }

    public string Positional(int index, string what) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"Missing {what}.");

    /// <summary>Rejects options the command did not ask about, so a typo is not silently ignored.</summary>
    public void RejectUnknownOptions()
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option{(unknown.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}

/// <summary>The command line is wrong; the message says how. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
