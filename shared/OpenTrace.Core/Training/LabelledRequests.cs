using OpenTrace.Core.Features;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Training;

/// <summary>
/// Predict request bodies made from a task's own labelled events: the key, the entity ids, the inputs and the event
/// time of each row of its labels query, under the names a predict request uses. For examples, smoke checks and
/// load tests that need requests the model has real features for.
/// </summary>
public static class LabelledRequests
{
    /// <summary>
    /// The requests of up to <paramref name="limit"/> labelled events by key, skipping <paramref name="offset"/>,
    /// optionally only events after <paramref name="after"/>.
    /// </summary>
    public static async Task<List<Dictionary<string, object?>>> ReadAsync(
        IWarehouse warehouse, PredictionTask task, int limit, int offset = 0, DateTimeOffset? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var sql = new FeatureSql(warehouse.Dialect);
        var filter = after is null ? string.Empty : $"\nWHERE l.{sql.Column(task.EventTimestamp)} > @after";
        var text = $"SELECT * FROM (\n{sql.LabelsSelect(task)}\n) AS l{filter}\nORDER BY l.{sql.Column(task.Key)}\nLIMIT {limit} OFFSET {offset}";
        var parameters = after is null ? null : new Dictionary<string, object?> { ["after"] = after.Value };

        var requests = new List<Dictionary<string, object?>>();
        await foreach (var row in warehouse.QueryAsync(text, parameters, cancellationToken))
        {
            var request = new Dictionary<string, object?>(StringComparer.Ordinal) { [task.Key] = row[task.Key] };
            foreach (var entity in task.Entities)
            {
                request[entity.Column] = row[entity.Column];
            }

            foreach (var input in task.Inputs)
            {
                request[input.Name] = input.Type == InputType.Timestamp ? row.Get<DateTimeOffset>(input.Name) : row[input.Name];
            }

            request[task.EventTimestamp] = row.Get<DateTimeOffset>(task.EventTimestamp);
            requests.Add(request);
        }

        return requests;
    }
}
