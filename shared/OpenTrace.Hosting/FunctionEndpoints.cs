using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace OpenTrace.Hosting;

/// <summary>Endpoint metadata naming the function behind an endpoint (listed by the health check).</summary>
/// <param name="FunctionType">The function class.</param>
/// <param name="Route">The route it answers: a prefix for HTTP functions, the POST path for CloudEvent functions.</param>
public sealed record FunctionEndpointMetadata(Type FunctionType, string Route);

/// <summary>
/// Composable registration and mapping of functions, so one process can host several (each under its own prefix)
/// while <see cref="FunctionsHost"/> hosts one at the root. Functions are resolved from the request's service scope.
/// </summary>
public static class FunctionEndpoints
{
    private static readonly MethodInfo MapHttpMethod = typeof(FunctionEndpoints).GetMethod(nameof(MapHttpFunction))!;
    private static readonly MethodInfo MapCloudEventMethod = typeof(FunctionEndpoints).GetMethods()
        .Single(m => m.Name == nameof(MapCloudEventFunction) && m.GetGenericArguments().Length == 1);

    private static readonly MethodInfo MapTypedCloudEventMethod = typeof(FunctionEndpoints).GetMethods()
        .Single(m => m.Name == nameof(MapCloudEventFunction) && m.GetGenericArguments().Length == 2);

    /// <summary>Registers <typeparamref name="TFunction"/> as a scoped service (one instance per request).</summary>
    public static IServiceCollection AddFunction<TFunction>(this IServiceCollection services)
        where TFunction : class => services.AddFunction(typeof(TFunction));

    /// <summary>Registers <paramref name="functionType"/> as a scoped service; throws when it is not a function.</summary>
    public static IServiceCollection AddFunction(this IServiceCollection services, Type functionType)
    {
        ArgumentNullException.ThrowIfNull(services);
        FunctionDescriptor.Describe(functionType);
        services.TryAddScoped(functionType);
        return services;
    }

    /// <summary>
    /// Maps an HTTP function to every method and every path under <paramref name="prefix"/> ("" = the whole site).
    /// The function sees the prefix in <c>Request.PathBase</c> and the rest in <c>Request.Path</c>, as if it ran alone.
    /// </summary>
    public static IEndpointConventionBuilder MapHttpFunction<TFunction>(this IEndpointRouteBuilder endpoints, string prefix = "")
        where TFunction : class, IHttpFunction
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var pathBase = NormalizePrefix(prefix);
        return endpoints
            .Map(pathBase + "/{**path}", context => FunctionInvoker.InvokeAsync(context, typeof(TFunction), c => CallHttpAsync<TFunction>(c, pathBase)))
            .WithDisplayName($"HTTP function {typeof(TFunction).FullName} at {pathBase}/")
            .WithMetadata(new FunctionEndpointMetadata(typeof(TFunction), pathBase + "/"));
    }

    /// <summary>Maps a typed CloudEvent function to POST <paramref name="pattern"/>; it answers 200 with an empty body on success.</summary>
    public static IEndpointConventionBuilder MapCloudEventFunction<TFunction, TData>(this IEndpointRouteBuilder endpoints, string pattern = "/")
        where TFunction : class, ICloudEventFunction<TData>
        where TData : class =>
        MapCloudEvent<TFunction>(endpoints, pattern, async (context, cloudEvent) =>
        {
            var data = CloudEventHttpBinding.ReadData<TData>(cloudEvent);
            var function = ResolveFunction<TFunction>(context);
            await function.HandleAsync(cloudEvent, data, context.RequestAborted);
        });

    /// <summary>Maps an untyped CloudEvent function to POST <paramref name="pattern"/>; it answers 200 with an empty body on success.</summary>
    public static IEndpointConventionBuilder MapCloudEventFunction<TFunction>(this IEndpointRouteBuilder endpoints, string pattern = "/")
        where TFunction : class, ICloudEventFunction =>
        MapCloudEvent<TFunction>(endpoints, pattern, (context, cloudEvent) =>
            ResolveFunction<TFunction>(context).HandleAsync(cloudEvent, context.RequestAborted));

    /// <summary>
    /// Maps <paramref name="functionType"/> by its contract: an HTTP function under <paramref name="route"/> as a prefix,
    /// a CloudEvent function at POST <paramref name="route"/> ("" = "/").
    /// </summary>
    public static IEndpointConventionBuilder MapFunction(this IEndpointRouteBuilder endpoints, Type functionType, string route = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var function = FunctionDescriptor.Describe(functionType);
        var (method, pattern) = function.Kind switch
        {
            FunctionKind.Http => (MapHttpMethod.MakeGenericMethod(functionType), route),
            FunctionKind.CloudEvent => (MapCloudEventMethod.MakeGenericMethod(functionType), route.Length == 0 ? "/" : route),
            _ => (MapTypedCloudEventMethod.MakeGenericMethod(functionType, function.DataType!), route.Length == 0 ? "/" : route),
        };
        try
        {
            return (IEndpointConventionBuilder)method.Invoke(null, [endpoints, pattern])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>
    /// Maps GET <paramref name="pattern"/> to a liveness answer: 200 with <c>{"status":"ok","functions":[...]}</c>
    /// listing every function endpoint in the app.
    /// </summary>
    public static IEndpointConventionBuilder MapFunctionsHealthCheck(this IEndpointRouteBuilder endpoints, string pattern = "/healthz")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var sources = endpoints.DataSources;
        return endpoints.MapGet(pattern, context =>
        {
            var functions = sources
                .SelectMany(s => s.Endpoints)
                .Select(e => e.Metadata.GetMetadata<FunctionEndpointMetadata>())
                .OfType<FunctionEndpointMetadata>()
                .Select(f => new { function = f.FunctionType.FullName, route = f.Route });
            context.Response.ContentType = "application/json";
            return JsonSerializer.SerializeAsync(context.Response.Body, new { status = "ok", functions }, cancellationToken: context.RequestAborted);
        }).WithDisplayName("Functions health check");
    }

    private static IEndpointConventionBuilder MapCloudEvent<TFunction>(IEndpointRouteBuilder endpoints, string pattern, Func<HttpContext, CloudNative.CloudEvents.CloudEvent, Task> call)
        where TFunction : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return endpoints
            .MapPost(pattern, context => FunctionInvoker.InvokeAsync(context, typeof(TFunction), async c =>
            {
                var cloudEvent = await c.Request.ReadCloudEventAsync(c.RequestAborted);
                c.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TFunction).FullName ?? typeof(TFunction).Name).LogDebug(
                    "Received CloudEvent {EventType} {EventId} from {EventSource} about {EventSubject}.", cloudEvent.Type, cloudEvent.Id, cloudEvent.Source, cloudEvent.Subject);
                await call(c, cloudEvent);
                c.Response.StatusCode = StatusCodes.Status200OK;
                c.Response.ContentLength = 0;
            }))
            .WithDisplayName($"CloudEvent function {typeof(TFunction).FullName} at POST {pattern}")
            .WithMetadata(new FunctionEndpointMetadata(typeof(TFunction), pattern));
    }

    private static async Task CallHttpAsync<TFunction>(HttpContext context, string pathBase)
        where TFunction : class, IHttpFunction
    {
        var request = context.Request;
        var (originalBase, originalPath) = (request.PathBase, request.Path);
        if (pathBase.Length > 0 && originalPath.StartsWithSegments(pathBase, out var matched, out var remaining))
        {
            request.PathBase = originalBase.Add(matched);
            request.Path = remaining.HasValue ? remaining : "/";
        }

        try
        {
            await ResolveFunction<TFunction>(context).HandleAsync(context);
        }
        finally
        {
            (request.PathBase, request.Path) = (originalBase, originalPath);
        }
    }

    private static TFunction ResolveFunction<TFunction>(HttpContext context)
        where TFunction : class =>
        ActivatorUtilities.GetServiceOrCreateInstance<TFunction>(context.RequestServices);

    private static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.Trim().Trim('/');
        if (trimmed.IndexOfAny(['{', '}', '*', '?', '#']) >= 0)
        {
            throw new ArgumentException($"Function prefix '{prefix}' must be a literal path such as /serve, without route parameters.", nameof(prefix));
        }

        return trimmed.Length == 0 ? string.Empty : "/" + trimmed;
    }
}
