using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Features;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Training;

/// <summary>One labelled event with its feature vector.</summary>
/// <param name="Key">The example's key (e.g. the order id).</param>
/// <param name="EventTimestamp">When the prediction would have been made.</param>
/// <param name="Label">The outcome.</param>
/// <param name="Features">The vector, laid out by <see cref="FeatureLayout"/>.</param>
/// <param name="Baseline">The baseline feature's value, or NaN when missing (or no baseline).</param>
public sealed record TrainingExample(string Key, DateTimeOffset EventTimestamp, bool Label, float[] Features, double Baseline);

/// <summary>Where a training set came from, recorded with the model.</summary>
/// <param name="LabelsSql">The rendered point-in-time query.</param>
/// <param name="QueryHash">Hash of that query.</param>
/// <param name="Rows">Labelled events.</param>
/// <param name="Positives">Events with a true label.</param>
/// <param name="FirstEvent">Earliest event time.</param>
/// <param name="LastEvent">Latest event time.</param>
/// <param name="ContentHash">Hash of the keys, labels and vectors: the same hash means the same training set.</param>
/// <param name="GroupWatermarks">Per joined group, the watermark of its offline table when the set was built.</param>
/// <param name="GroupCoverage">Per joined group, the share of events that had a usable value.</param>
/// <param name="Sources">Gold models and sources the labels and groups read.</param>
public sealed record TrainingSetLineage(
    string LabelsSql,
    string QueryHash,
    long Rows,
    long Positives,
    DateTimeOffset? FirstEvent,
    DateTimeOffset? LastEvent,
    string ContentHash,
    IReadOnlyDictionary<string, DateTimeOffset?> GroupWatermarks,
    IReadOnlyDictionary<string, double> GroupCoverage,
    IReadOnlyList<string> Sources);

/// <summary>A point-in-time training set: examples in event-time order and where they came from.</summary>
/// <param name="Layout">The vector layout.</param>
/// <param name="Examples">Examples ordered by event time, then key.</param>
/// <param name="Lineage">Where it came from.</param>
public sealed record TrainingSet(FeatureLayout Layout, IReadOnlyList<TrainingExample> Examples, TrainingSetLineage Lineage);

/// <summary>
/// Builds training sets: runs the point-in-time join (<see cref="FeatureSql.PointInTime"/>) in the warehouse and turns
/// each row into a vector with the same <see cref="FeatureLayout"/> serving uses. A joined value older than its
/// group's TTL at the event is dropped for groups that omit stale values, as serving would.
/// </summary>
public sealed class TrainingSetBuilder(IWarehouse warehouse, FeatureCatalog catalog)
{
    /// <summary>Builds the training set of <paramref name="task"/>; <paramref name="watermarks"/> (null: unknown) go into the lineage.</summary>
    public async Task<TrainingSet> BuildAsync(PredictionTask task, IReadOnlyDictionary<string, FeatureWatermark>? watermarks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var groups = task.Entities.Select(e => catalog.FindGroup(e.Group) ?? throw new OpenTraceException($"Feature group '{e.Group}' is not in the catalog.", file: task.Path, rule: "features")).ToList();
        foreach (var group in groups)
        {
            if (await warehouse.GetTableAsync(group.OfflineTable, cancellationToken) is null)
            {
                throw new OpenTraceException($"{group.OfflineTable} does not exist: materialise feature group '{group.Name}' before training '{task.Name}' (opentrace features).", file: task.Path, rule: "training");
            }
        }

        var layout = new FeatureLayout(task, groups);
        var sql = new FeatureSql(warehouse.Dialect).PointInTime(task, groups);
        var inputs = new RequestInputs(layout.InputCount);
        var examples = new List<TrainingExample>();
        var present = new long[groups.Count];
        var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var baseline = task.Baseline is { } b ? $"{b.Group}{FeatureSql.GroupSeparator}{b.Feature}" : null;
        await foreach (var row in warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            if (row[task.Label] is null)
            {
                continue;
            }

            var at = row.Get<DateTimeOffset>(task.EventTimestamp);
            ReadInputs(row, layout, inputs, at);
            var vector = new float[layout.Length];
            for (var e = 0; e < layout.Entities.Count; e++)
            {
                var slots = layout.Entities[e];
                var prefix = slots.Group.Name + FeatureSql.GroupSeparator;
                var usable = row.Get<long>(prefix + FeatureSql.PresentSuffix) == 1
                    && OnlineFeatureStore.StatusAt(slots.Group, row.Get<DateTimeOffset>(prefix + FeatureGroup.EventTimestampColumn), at) != OnlineStatus.Omitted;
                if (!usable)
                {
                    continue;
                }

                present[e]++;
                vector[slots.PresentSlot] = 1f;
                for (var f = 0; f < slots.Features.Count; f++)
                {
                    vector[slots.FeatureSlots[f]] = FeatureLayout.Encode(row[prefix + slots.Features[f].Name], slots.Features[f].Type.Kind);
                }
            }

            layout.FillRequest(vector, inputs);
            var key = row.Get<string>(task.Key) ?? throw new OpenTraceException($"A row of the labels query of '{task.Name}' has no {task.Key}.", file: task.Path, rule: "training");
            var label = row.Get<bool>(task.Label);
            var baselineValue = baseline is not null && row[baseline] is { } v ? ValueConversion.To<double>(v) : double.NaN;
            examples.Add(new TrainingExample(key, at, label, vector, baselineValue));
            content.AppendData(Encoding.UTF8.GetBytes(key));
            content.AppendData([label ? (byte)1 : (byte)0]);
            content.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
        }

        var lineage = new TrainingSetLineage(
            sql,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16],
            examples.Count,
            examples.Count(x => x.Label),
            examples.Count > 0 ? examples[0].EventTimestamp : null,
            examples.Count > 0 ? examples[^1].EventTimestamp : null,
            Convert.ToHexStringLower(content.GetHashAndReset())[..16],
            groups.ToDictionary(g => g.Name, g => watermarks?.GetValueOrDefault(g.Name)?.Watermark, StringComparer.Ordinal),
            groups.Select((g, i) => (g.Name, Share: examples.Count == 0 ? 0 : Math.Round((double)present[i] / examples.Count, 4))).ToDictionary(x => x.Name, x => x.Share, StringComparer.Ordinal),
            task.References.Concat(groups.SelectMany(g => g.References)).Select(r => r.IsModel ? $"{Datasets.Gold}.{r.Name}" : r.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
        return new TrainingSet(layout, examples, lineage);
    }

    private static void ReadInputs(WarehouseRow row, FeatureLayout layout, RequestInputs inputs, DateTimeOffset at)
    {
        inputs.Clear();
        for (var i = 0; i < layout.Task.Inputs.Count; i++)
        {
            var input = layout.Task.Inputs[i];
            var value = row[input.Name];
            switch (input.Type)
            {
                case InputType.String:
                    inputs.SetText(i, ValueConversion.To<string>(value));
                    break;
                case InputType.Number:
                    inputs.SetNumber(i, value is null ? double.NaN : ValueConversion.To<double>(value));
                    break;
                default:
                    inputs.SetTime(i, value is null ? null : ValueConversion.To<DateTimeOffset>(value));
                    break;
            }
        }

        inputs.SetTime(layout.EventTimestampInput, at);
    }

    /// <summary>A one-line description of a set's size, for logs.</summary>
    public static string Describe(TrainingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var lineage = set.Lineage;
        return string.Create(CultureInfo.InvariantCulture, $"{lineage.Rows:N0} events ({lineage.Positives:N0} positive) from {lineage.FirstEvent:yyyy-MM-dd} to {lineage.LastEvent:yyyy-MM-dd}");
    }
}
