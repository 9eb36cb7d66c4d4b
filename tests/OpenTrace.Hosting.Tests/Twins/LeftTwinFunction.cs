using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting.Tests.Twins.Left;

/// <summary>Shares its simple name with the one in Right, so a simple FUNCTION_TARGET is ambiguous.</summary>
public sealed class TwinFunction : IHttpFunction
{
    public Task HandleAsync(HttpContext context) => context.Response.WriteAsync("left");
}
