using OpenTrace.Core.Features;
using OpenTrace.Core.Training;

namespace OpenTrace.Core.Serving;

/// <summary>A prediction and what it was made from.</summary>
/// <param name="Model">The model version that scored it.</param>
/// <param name="Input">The request.</param>
/// <param name="Probability">The calibrated probability.</param>
/// <param name="Groups">Per joined group, the online values used (or why none were), with their age and staleness.</param>
/// <param name="Vector">The feature vector scored (the layout's slots).</param>
public sealed record PredictionResult(ServingModel Model, PredictionInput Input, double Probability, IReadOnlyList<OnlineFeatures> Groups, float[] Vector);

/// <summary>
/// Makes predictions: looks up every joined group's online values in one read (TTL applied), builds the vector
/// exactly as training did (<see cref="FeatureLayout"/>), and scores it with the promoted model. A stale value of a
/// flagging group is used and reported stale; an omitted or missing one leaves the group absent.
/// </summary>
public sealed class PredictionService(PromotedModelSource models, OnlineFeatureStore online, FeatureCatalog catalog)
{
    /// <summary>The catalog's tasks.</summary>
    public FeatureCatalog Catalog => catalog;

    /// <summary>The promoted model of <paramref name="task"/> (see <see cref="PromotedModelSource.GetAsync"/>).</summary>
    public ValueTask<ServingModel> ModelAsync(PredictionTask task, CancellationToken cancellationToken = default) => models.GetAsync(task, cancellationToken);

    /// <summary>Scores a validated request with <paramref name="model"/>.</summary>
    public async Task<PredictionResult> PredictAsync(ServingModel model, PredictionInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var layout = model.Layout;
        var lookups = new (FeatureGroup Group, string EntityId)[layout.Entities.Count];
        for (var i = 0; i < lookups.Length; i++)
        {
            lookups[i] = (layout.Entities[i].Group, input.EntityIds[i]);
        }

        var groups = await online.ReadManyAsync(lookups, cancellationToken);
        var vector = new float[layout.Length];
        for (var e = 0; e < layout.Entities.Count; e++)
        {
            if (!groups[e].IsServed)
            {
                continue;
            }

            var slots = layout.Entities[e];
            vector[slots.PresentSlot] = 1f;
            for (var f = 0; f < slots.Features.Count; f++)
            {
                vector[slots.FeatureSlots[f]] = FeatureLayout.Encode(groups[e].Values.GetValueOrDefault(slots.Features[f].Name), slots.Features[f].Type.Kind);
            }
        }

        layout.FillRequest(vector, input.Inputs);
        return new PredictionResult(model, input, model.Scorer.Probability(vector), groups, vector);
    }
}
