using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTrace.Hosting.Logging;

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>
/// A logger provider that formats entries with the real <see cref="CloudLoggingJsonFormatter"/> into memory, so tests
/// read exactly the lines the console would print, without sharing the process-wide console.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    public const string ProjectId = "opentrace-test";

    private readonly ConcurrentQueue<string> _lines = new();
    private readonly CloudLoggingJsonFormatter _formatter;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public LogCapture(string? projectId = ProjectId)
    {
        _formatter = new CloudLoggingJsonFormatter(new FixedOptions(new CloudLoggingJsonFormatterOptions { ProjectId = projectId }));
    }

    /// <summary>Every line written so far.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Every line parsed as JSON (a line that is not JSON fails the test).</summary>
    public IReadOnlyList<JsonElement> Entries => [.. _lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>Writes one entry through the formatter.</summary>
    public void Write<TState>(LogLevel level, string category, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        using var text = new StringWriter();
        _formatter.Write(new LogEntry<TState>(level, category, default, state, exception, formatter), _scopes, text);
        foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Opens a logging scope, as the host does for a request's trace.</summary>
    public IDisposable PushScope(object scope) => _scopes.Push(scope);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _formatter.Dispose();

    private sealed class CapturingLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Write(logLevel, category, state, exception, formatter);
    }

    private sealed class FixedOptions(CloudLoggingJsonFormatterOptions value) : IOptionsMonitor<CloudLoggingJsonFormatterOptions>
    {
        public CloudLoggingJsonFormatterOptions CurrentValue => value;

        public CloudLoggingJsonFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<CloudLoggingJsonFormatterOptions, string?> listener) => null;
    }
}
