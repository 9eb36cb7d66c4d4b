using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTrace.Hosting.Logging;

namespace OpenTrace.Hosting;

/// <summary>How <see cref="FunctionsHost"/> writes logs.</summary>
public enum FunctionsLogFormat
{
    /// <summary>One JSON object per line in Cloud Logging's shape (<see cref="CloudLoggingJsonFormatter"/>); the default.</summary>
    CloudLoggingJson,

    /// <summary>Single-line human-readable console output.</summary>
    Plain,
}

/// <summary>Choices for <see cref="FunctionsHost.Build(string[], FunctionsHostOptions?)"/>; every member is optional.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>Assembly searched for the function and <see cref="FunctionsStartupAttribute"/>s. Null: the entry assembly.</summary>
    public Assembly? FunctionAssembly { get; init; }

    /// <summary>The function to host. Null: the type FUNCTION_TARGET names (or the assembly's only function).</summary>
    public Type? FunctionType { get; init; }

    /// <summary>Address to listen on. Null: 0.0.0.0, as Cloud Run expects.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Port to listen on (0 = any free port). Null: the PORT setting, else 8080.</summary>
    public int? Port { get; init; }

    /// <summary>Log output; default <see cref="FunctionsLogFormat.CloudLoggingJson"/>.</summary>
    public FunctionsLogFormat LogFormat { get; init; } = FunctionsLogFormat.CloudLoggingJson;

    /// <summary>
    /// Runs after the startups' service and logging hooks, just before the app is built: add or replace services,
    /// loggers or settings. Null: nothing.
    /// </summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}

/// <summary>
/// Hosts one function the way the Functions Framework does on Cloud Run: reads PORT (default 8080) and
/// FUNCTION_TARGET (full or simple type name) from configuration (environment variables or <c>--NAME=value</c>
/// arguments), applies <see cref="FunctionsStartup"/>s, maps GET /healthz and the function at the root
/// (HTTP functions get every path, CloudEvent functions POST /), and logs in Cloud Logging's JSON shape.
/// </summary>
public static class FunctionsHost
{
    /// <summary>Setting naming the function type.</summary>
    public const string TargetSetting = "FUNCTION_TARGET";

    /// <summary>Setting holding the port to listen on.</summary>
    public const string PortSetting = "PORT";

    /// <summary>Port used when PORT is not set.</summary>
    public const int DefaultPort = 8080;

    /// <summary>
    /// Builds and runs the host until shutdown (SIGTERM, Ctrl+C). Returns 0 after a clean stop and 1 when the host
    /// cannot start (the reason is written to stderr, as a CRITICAL JSON line unless logs are plain).
    /// </summary>
    public static Task<int> RunAsync(string[] args, Assembly? functionAssembly = null) =>
        RunAsync(args, new FunctionsHostOptions { FunctionAssembly = functionAssembly ?? Assembly.GetEntryAssembly() });

    /// <summary>Builds and runs the host with <paramref name="options"/> until shutdown or cancellation; exit codes as above.</summary>
    public static async Task<int> RunAsync(string[] args, FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplication app;
        try
        {
            app = Build(args, options);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await WriteStartupErrorAsync(options, e);
            return 1;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Typically the port is taken, or options validated at start are wrong.
                await WriteStartupErrorAsync(options, e);
                return 1;
            }

            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
    }

    /// <summary>
    /// Builds the host without starting it: the lower-level entry for tests and custom hosts. Start it with
    /// <c>StartAsync</c>; after start, <c>Urls</c> holds the bound address.
    /// </summary>
    /// <exception cref="InvalidOperationException">FUNCTION_TARGET or PORT is missing or wrong; the message names the setting and the candidates.</exception>
    public static WebApplication Build(string[] args, FunctionsHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        options ??= new FunctionsHostOptions();
        var assembly = options.FunctionAssembly ?? options.FunctionType?.Assembly ?? Assembly.GetEntryAssembly()
            ?? throw new InvalidOperationException("No function assembly: pass one to FunctionsHost.");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = assembly.GetName().Name });
        var function = options.FunctionType is { } type
            ? FunctionDescriptor.Describe(type)
            : FunctionDescriptor.Resolve(assembly.GetName().Name ?? assembly.FullName ?? "?", FunctionDescriptor.LoadableTypes(assembly), builder.Configuration[TargetSetting]);
        var port = options.Port ?? ReadPort(builder.Configuration);
        var address = options.Address ?? IPAddress.Any;

        // Kestrel listens only on the endpoint below; clearing these keeps the aspnet base image's HTTP_PORTS=8080
        // from logging an "Overriding address(es)" warning at every start. An explicit ASPNETCORE_URLS still warns.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.Empty);
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, string.Empty);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));

        builder.Logging.ClearProviders();
        if (options.LogFormat == FunctionsLogFormat.CloudLoggingJson)
        {
            var project = builder.Configuration[CloudLoggingExtensions.ProjectEnvironmentVariable];
            builder.Logging.AddCloudLoggingJson(o => o.ProjectId = string.IsNullOrEmpty(project) ? o.ProjectId : project);
        }
        else
        {
            builder.Logging.AddPlainConsole();
        }

        // Per-request lines from ASP.NET Core are noise at Cloud Run volumes; warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.AddFunction(function.FunctionType);
        var context = new WebHostBuilderContext { Configuration = builder.Configuration, HostingEnvironment = builder.Environment };
        var startups = CreateStartups(assembly, function.FunctionType);
        foreach (var startup in startups)
        {
            startup.ConfigureLogging(context, builder.Logging);
            startup.ConfigureServices(context, builder.Services);
        }

        options.ConfigureBuilder?.Invoke(builder);

        var app = builder.Build();
        foreach (var startup in startups)
        {
            startup.Configure(context, app);
        }

        app.MapFunctionsHealthCheck();
        app.MapFunction(function.FunctionType);
        return app;
    }

    /// <summary>
    /// The function FUNCTION_TARGET names in <paramref name="assembly"/> (full or simple type name), or the only
    /// function when <paramref name="target"/> is null or empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">No function, an unknown or ambiguous name, or no target with several functions.</exception>
    public static Type ResolveTarget(Assembly assembly, string? target)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return FunctionDescriptor.Resolve(assembly.GetName().Name ?? assembly.FullName ?? "?", FunctionDescriptor.LoadableTypes(assembly), target).FunctionType;
    }

    private static int ReadPort(IConfiguration configuration)
    {
        var value = configuration[PortSetting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort
            ? port
            : throw new InvalidOperationException($"PORT '{value}' is not a port number (0-{IPEndPoint.MaxPort}).");
    }

    private static List<FunctionsStartup> CreateStartups(Assembly assembly, Type functionType)
    {
        var declared = assembly.GetCustomAttributes<FunctionsStartupAttribute>()
            .Concat(functionType.GetCustomAttributes<FunctionsStartupAttribute>())
            .Select((attribute, position) => (attribute, position))
            .OrderBy(a => a.attribute.Order)
            .ThenBy(a => a.position);
        var startups = new List<FunctionsStartup>();
        foreach (var (attribute, _) in declared)
        {
            var type = attribute.StartupType;
            if (!typeof(FunctionsStartup).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException(
                    $"[FunctionsStartup(typeof({type.FullName}))]: the type must be a concrete FunctionsStartup with a public parameterless constructor.");
            }

            startups.Add((FunctionsStartup)Activator.CreateInstance(type)!);
        }

        return startups;
    }

    private static async Task WriteStartupErrorAsync(FunctionsHostOptions options, Exception error)
    {
        // Configuration mistakes carry a message written for the operator; anything else needs its stack trace.
        var message = error is InvalidOperationException or ArgumentException or IOException ? error.Message : error.ToString();
        var line = options.LogFormat == FunctionsLogFormat.CloudLoggingJson
            ? JsonSerializer.Serialize(new { severity = "CRITICAL", message = $"Function host cannot start: {message}" })
            : $"Function host cannot start: {message}";
        await Console.Error.WriteLineAsync(line);
    }
}
