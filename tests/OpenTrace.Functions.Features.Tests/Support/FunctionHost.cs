using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Features.Tests.Support;

/// <summary>Starts functions over a feature world.</summary>
public static class FeatureWorldHosting
{
    extension(FunctionHost)
    {
        /// <summary>
        /// Starts <paramref name="functionType"/> over <paramref name="world"/>'s embedded adapters and clock;
        /// <paramref name="settings"/> are extra <c>--key=value</c> arguments.
        /// </summary>
        public static Task<FunctionHost> StartAsync(Type functionType, FeatureWorld world, IEnumerable<string>? settings = null, IWarehouse? warehouse = null) =>
            FunctionHost.StartAsync(
                functionType,
                [
                    $"--OpenTrace:LakeBucket={FeatureWorld.LakeBucket}",
                    $"--OpenTrace:ModelsBucket={FeatureWorld.ModelsBucket}",
                    $"--OpenTrace:PipelinesPath={world.Pipelines}",
                    .. settings ?? [],
                ],
                services =>
                {
                    services.AddSingleton(warehouse ?? world.Warehouse);
                    services.AddSingleton<IObjectStore>(world.Objects);
                    services.AddSingleton<IDocumentStore>(world.Documents);
                    services.AddSingleton<TimeProvider>(world.Time);
                });
    }
}
