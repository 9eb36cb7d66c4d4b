using Microsoft.AspNetCore.Http;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Serve;

/// <summary>
/// The HTTP API at the edge: <c>GET /v1/features/{group}/{entityId}</c>, <c>POST /v1/predict</c>,
/// <c>POST /v1/qa</c>, <c>POST /v1/search</c> and <c>GET /openapi.json</c> (see <see cref="ServeApi"/>).
/// </summary>
public sealed class ServeFunction(ServeApi api) : IHttpFunction
{
    /// <inheritdoc />
    public Task HandleAsync(HttpContext context) => api.HandleAsync(context);
}
