using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting;

/// <summary>A function that handles HTTP requests (the Functions Framework's HTTP function contract).</summary>
public interface IHttpFunction
{
    /// <summary>Handles one request; the function writes the response.</summary>
    Task HandleAsync(HttpContext context);
}

/// <summary>
/// A function that handles CloudEvents whose data is deserialized to <typeparamref name="TData"/>
/// (the Functions Framework's typed CloudEvent function contract).
/// Returning normally answers 200. Throwing <see cref="MalformedEventException"/> answers 400;
/// <see cref="Core.TransientException"/> and other exceptions answer 5xx so the event is delivered again.
/// </summary>
public interface ICloudEventFunction<TData>
    where TData : class
{
    /// <summary>Handles one event.</summary>
    Task HandleAsync(CloudEvent cloudEvent, TData data, CancellationToken cancellationToken);
}

/// <summary>A function that handles CloudEvents with untyped data.</summary>
public interface ICloudEventFunction
{
    /// <summary>Handles one event.</summary>
    Task HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);
}

/// <summary>The event cannot be understood (missing attributes, data of the wrong shape). Hosts answer 400 with the reason.</summary>
public sealed class MalformedEventException(string message, Exception? inner = null) : Exception(message, inner);
