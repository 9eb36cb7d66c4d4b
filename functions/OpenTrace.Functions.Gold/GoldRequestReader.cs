using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenTrace.Core.Gold;

namespace OpenTrace.Functions.Gold;

/// <summary>Reads a gold run request from the query string and an optional JSON body.</summary>
internal static class GoldRequestReader
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<GoldRunRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var select = SelectFromQuery(request.QueryString.Value);
        var fullRefresh = false;
        var body = await ReadBodyAsync(request, cancellationToken);
        if (!string.IsNullOrWhiteSpace(body))
        {
            JsonElement root;
            try
            {
                root = JsonSerializer.Deserialize<JsonElement>(body);
            }
            catch (JsonException ex)
            {
                throw new GoldRequestException($"The body is not JSON: {ex.Message}");
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new GoldRequestException("The body must be a JSON object such as {\"select\": \"fct_orders+\"}.");
            }

            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "select" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        select = property.Value.GetString() ?? select;
                        break;
                    case "full_refresh" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        fullRefresh = property.Value.GetBoolean();
                        break;
                    case "select" or "full_refresh":
                        throw new GoldRequestException($"'{property.Name}' has the wrong type: select is a string, full_refresh true or false.");
                    default:
                        throw new GoldRequestException($"Unknown field '{property.Name}'; the body takes select and full_refresh.");
                }
            }
        }

        return new GoldRunRequest { Select = string.IsNullOrWhiteSpace(select) ? null : select, FullRefresh = fullRefresh };
    }

    /// <summary>
    /// The select parameter, decoded without turning '+' into a space: <c>select=fct_orders+</c> means the model and
    /// its descendants, as on the command line.
    /// </summary>
    private static string? SelectFromQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        string? select = null;
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (name == "select")
            {
                select = select is null ? value : $"{select},{value}";
            }
            else
            {
                throw new GoldRequestException($"Unknown query parameter '{name}'; use select.");
            }
        }

        return select;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new GoldRequestException($"The body is larger than {MaxBodyBytes} bytes.");
        }

        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxBodyBytes + 1];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return read > MaxBodyBytes
            ? throw new GoldRequestException($"The body is larger than {MaxBodyBytes} bytes.")
            : new string(buffer, 0, read);
    }
}

/// <summary>The request cannot be understood; answered 400 with the message.</summary>
internal sealed class GoldRequestException(string message) : Exception(message);
