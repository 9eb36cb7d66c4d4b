using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Features;
using OpenTrace.Core.Training;

namespace OpenTrace.Core.Serving;

/// <summary>A promoted model ready to score: its card, scorer and the vector layout of its task.</summary>
/// <param name="Version">The registered version.</param>
/// <param name="Card">Its card.</param>
/// <param name="Scorer">Its trees and calibration.</param>
/// <param name="Layout">The task's feature layout (the card's features, in order).</param>
/// <param name="Requests">Reads and checks predict requests for the task.</param>
public sealed record ServingModel(int Version, ModelCard Card, TreeEnsembleScorer Scorer, FeatureLayout Layout, PredictionRequestReader Requests);

/// <summary>No model of the task has been promoted yet. The serve API answers 503.</summary>
/// <param name="task">The task.</param>
public sealed class NoPromotedModelException(string task)
    : Exception($"No model of '{task}' has been promoted yet. Train one with the train function (cloud) or 'opentrace train' (local).")
{
    /// <summary>The task.</summary>
    public string Task { get; } = task;
}

/// <summary>
/// The models serving predictions: each task's promoted version, loaded once (artifact and card from the models
/// bucket) and kept in memory. At most once per refresh interval a request reads the registry head (one document);
/// when another version was promoted it is loaded while the current one keeps answering, then swapped in. If the
/// check fails, the loaded model goes on serving and the failure is logged.
/// </summary>
public sealed class PromotedModelSource : IDisposable
{
    private readonly ModelRegistry _registry;
    private readonly FeatureCatalog _catalog;
    private readonly TimeSpan _refresh;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Creates the source; nothing is read until the first request.</summary>
    public PromotedModelSource(ModelRegistry registry, FeatureCatalog catalog, TimeSpan refreshInterval, TimeProvider? time = null, ILogger<PromotedModelSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(catalog);
        _registry = registry;
        _catalog = catalog;
        _refresh = refreshInterval;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The promoted model of <paramref name="task"/>. Throws <see cref="NoPromotedModelException"/> when none is
    /// promoted, and <see cref="OpenTraceException"/> when the promoted model's features no longer match the task.
    /// </summary>
    public async ValueTask<ServingModel> GetAsync(PredictionTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var slot = _slots.GetOrAdd(task.Name, _ => new Slot());
        var current = slot.Current;
        if (current is not null && (_time.GetUtcNow() < slot.NextCheck || !await slot.Loading.WaitAsync(0, cancellationToken)))
        {
            return current;
        }

        if (current is null)
        {
            await slot.Loading.WaitAsync(cancellationToken);
        }

        try
        {
            if (slot.Current is { } loaded && !ReferenceEquals(loaded, current) && _time.GetUtcNow() < slot.NextCheck)
            {
                return loaded; // another request loaded it while this one waited
            }

            RegistryHead? head;
            try
            {
                head = await _registry.GetHeadAsync(task.Name, cancellationToken);
            }
            catch (Exception ex) when (slot.Current is not null && ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Could not check the promoted model of {Task}; serving v{Version} meanwhile.", task.Name, slot.Current.Version);
                slot.NextCheck = _time.GetUtcNow() + _refresh;
                return slot.Current;
            }

            if (head?.PromotedVersion is not { } version)
            {
                throw new NoPromotedModelException(task.Name);
            }

            if (slot.Current?.Version != version)
            {
                slot.Current = await LoadAsync(task, version, cancellationToken);
                _logger.LogInformation("Serving {Task} v{Version}.", task.Name, version);
            }

            slot.NextCheck = _time.GetUtcNow() + _refresh;
            return slot.Current;
        }
        finally
        {
            slot.Loading.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Loading.Dispose();
        }
    }

    private async Task<ServingModel> LoadAsync(PredictionTask task, int version, CancellationToken cancellationToken)
    {
        var card = await _registry.ReadCardAsync(task.Name, version, cancellationToken);
        var groups = task.Entities.Select(e => _catalog.FindGroup(e.Group)!).ToList();
        var layout = new FeatureLayout(task, groups);
        if (!card.Features.SequenceEqual(layout.Names, StringComparer.Ordinal))
        {
            throw new OpenTraceException(
                $"The promoted {task.Name} v{version} was trained on features [{string.Join(", ", card.Features)}], but the task now declares [{string.Join(", ", layout.Names)}]. Train and promote a model for the current definition.",
                file: task.Path,
                rule: "serving");
        }

        await using var zip = await _registry.OpenArtifactAsync(task.Name, version, cancellationToken);
        var scorer = TreeEnsembleScorer.Load(zip, layout.Length, card.PlattSlope, card.PlattOffset);
        return new ServingModel(version, card, scorer, layout, new PredictionRequestReader(layout));
    }

    private sealed class Slot
    {
        private volatile ServingModel? _current;

        public SemaphoreSlim Loading { get; } = new(1, 1);

        public ServingModel? Current
        {
            get => _current;
            set => _current = value;
        }

        public DateTimeOffset NextCheck { get; set; }
    }
}
