using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting.Tests.Twins.Right;

/// <summary>Shares its simple name with the one in Left.</summary>
public sealed class TwinFunction : IHttpFunction
{
    public Task HandleAsync(HttpContext context) => context.Response.WriteAsync("right");
}
