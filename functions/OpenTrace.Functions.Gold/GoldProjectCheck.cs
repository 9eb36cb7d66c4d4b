using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Gold;

namespace OpenTrace.Functions.Gold;

/// <summary>Loads the model files at start, so a broken model stops the deployment instead of the first scheduled run.</summary>
internal sealed partial class GoldProjectCheck(IServiceProvider services, ILogger<GoldProjectCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var project = services.GetRequiredService<GoldProject>();
        LogLoaded(logger, project.Models.Count, project.Sources.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Gold models loaded: {Models} models over {Sources} sources.")]
    private static partial void LogLoaded(ILogger logger, int models, int sources);
}
