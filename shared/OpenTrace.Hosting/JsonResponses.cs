using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting;

/// <summary>JSON answers of HTTP functions: snake_case names, null members left out, NaN and infinities as strings.</summary>
public static class JsonResponses
{
    /// <summary>The serializer options the answers are written with (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Answers <paramref name="statusCode"/> with <paramref name="body"/> serialized by its runtime type.</summary>
    public static async Task WriteAsync(HttpContext context, int statusCode, object body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Options, context.RequestAborted);
    }

    /// <summary>Answers <paramref name="statusCode"/> with <c>{"error": message}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message) =>
        WriteAsync(context, statusCode, new { error = message });

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
