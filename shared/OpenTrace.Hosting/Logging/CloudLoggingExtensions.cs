using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace OpenTrace.Hosting.Logging;

/// <summary>Console logging in Cloud Logging's structured JSON shape.</summary>
public static class CloudLoggingExtensions
{
    /// <summary>The environment variable holding the project id that qualifies trace ids.</summary>
    public const string ProjectEnvironmentVariable = "GOOGLE_CLOUD_PROJECT";

    /// <summary>
    /// Adds the console logger with <see cref="CloudLoggingJsonFormatter"/>: one JSON object per line on stdout.
    /// <see cref="CloudLoggingJsonFormatterOptions.ProjectId"/> defaults to GOOGLE_CLOUD_PROJECT.
    /// Other console formatters stay available; call <c>ClearProviders()</c> first to drop other loggers.
    /// </summary>
    public static ILoggingBuilder AddCloudLoggingJson(this ILoggingBuilder builder, Action<CloudLoggingJsonFormatterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConsole(o => o.FormatterName = CloudLoggingJsonFormatter.FormatterName);
        builder.AddConsoleFormatter<CloudLoggingJsonFormatter, CloudLoggingJsonFormatterOptions>(o =>
        {
            o.ProjectId ??= Environment.GetEnvironmentVariable(ProjectEnvironmentVariable);
            configure?.Invoke(o);
        });
        return builder;
    }

    /// <summary>Adds the console logger with single-line, human-readable output (local runs).</summary>
    public static ILoggingBuilder AddPlainConsole(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConsole(o => o.FormatterName = ConsoleFormatterNames.Simple);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.TimestampFormat = "HH:mm:ss ";
        });
        return builder;
    }
}
