using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Training;
using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Train.Tests;

/// <summary>Training the late-delivery model on generated Olist data, its registry record and the promotion rule.</summary>
public sealed class TrainingTests(OlistFeatureFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstModel_LearnsTheLateSignal_IsRegisteredWithItsRecord_AndPromoted()
    {
        await using var world = await MaterialisedAsync();

        var run = await world.Trainer().RunAsync(new TrainRequest { Trigger = "test" }, cancellationToken: Ct);

        var card = Assert.Single(run.Tasks).Card;
        Assert.Equal(("late_delivery", 1, true), (card.Task, card.Version, card.Promoted));
        Assert.True(card.Holdout.Auc >= 0.75, $"holdout AUC {card.Holdout.Auc:F3}");
        Assert.All(card.Baselines, b => Assert.True(card.Holdout.Auc > b.Auc, $"{b.Name}: AUC {b.Auc:F3} vs the model's {card.Holdout.Auc:F3}"));
        Assert.True(card.Holdout.LogLoss < card.Baselines[0].LogLoss, "log loss no better than the prior");
        Assert.Equal(10, card.Holdout.Calibration.Count);
        Assert.Equal(card.Holdout.Count, card.Holdout.Calibration.Sum(b => b.Count));
        Assert.StartsWith("Promoted: no model was promoted", card.Decision, StringComparison.Ordinal);

        // Time-based split: every holdout event is later than every training event.
        Assert.Equal(card.Lineage.Rows, card.Split.TrainRows + card.Split.CalibrationRows + card.Split.HoldoutRows);
        Assert.True(card.Split.HoldoutFrom > card.Lineage.FirstEvent);
        Assert.InRange(card.Split.HoldoutRows / (double)card.Lineage.Rows, 0.19, 0.21);

        // Registry record, artifact and card.
        var head = await world.Registry().GetHeadAsync("late_delivery", Ct);
        Assert.Equal((1, 1, "gs://models/late_delivery/v1/model.zip"), (head!.LatestVersion, head.PromotedVersion, head.PromotedArtifactUri));
        var record = await world.Documents.GetAsync(ModelRegistry.Collection, "late_delivery.v1", Ct);
        Assert.Equal(card.Holdout.Auc, record!.Get<double>("holdout_auc"));
        Assert.Equal(card.Lineage.ContentHash, record.Get<string>("training_set_hash"));
        Assert.Contains("gold.fct_orders", (IEnumerable<object?>)record.Fields["training_sources"]!);
        Assert.Equal(card.Features.Count, ((IReadOnlyList<object?>)record.Fields["features"]!).Count);
        Assert.NotNull(await world.Objects.GetAsync(FeatureWorld.ModelsBucket, "late_delivery/v1/model.zip", Ct));
        var stored = await world.Registry().ReadCardAsync("late_delivery", 1, Ct);
        Assert.Equal(JsonSerializer.Serialize(card, ModelCard.Json), JsonSerializer.Serialize(stored, ModelCard.Json));
        Assert.Equal(RunStatus.Succeeded, await world.ScalarAsync<string>($"SELECT status FROM ops.runs WHERE run_id = '{run.RunId}'", Ct));
        Assert.All(card.Lineage.GroupCoverage.Values, share => Assert.True(share > 0.9));
    }

    [Fact]
    public async Task SecondModel_NoBetterOnTheSameHoldout_IsRegisteredButNotPromoted()
    {
        await using var world = await MaterialisedAsync();
        var trainer = world.Trainer();
        await trainer.RunAsync(cancellationToken: Ct);

        var second = Assert.Single((await trainer.RunAsync(cancellationToken: Ct)).Tasks).Card;

        Assert.Equal((2, false, 1), (second.Version, second.Promoted, second.ComparedWithVersion));
        Assert.Equal(second.Holdout.Auc, second.ComparedAuc);
        Assert.StartsWith("Not promoted: on this holdout AUC", second.Decision, StringComparison.Ordinal);
        var head = await world.Registry().GetHeadAsync("late_delivery", Ct);
        Assert.Equal((2, 1), (head!.LatestVersion, head.PromotedVersion));
    }

    [Fact]
    public async Task BetterModel_OnTheSameHoldout_IsPromoted()
    {
        await using var world = await MaterialisedAsync(copyPipelines: true);
        await world.EditFeatureFileAsync("late_delivery", "trainer: {trees: 500,", "trainer: {trees: 3,", Ct);
        var weak = Assert.Single((await world.Trainer().RunAsync(cancellationToken: Ct)).Tasks).Card;
        await world.Registry().PromoteAsync(weak, Ct); // a weaker model is serving
        await world.EditFeatureFileAsync("late_delivery", "trainer: {trees: 3,", "trainer: {trees: 500,", Ct);

        var better = Assert.Single((await world.Trainer().RunAsync(cancellationToken: Ct)).Tasks).Card;

        Assert.True(better.Promoted, better.Decision);
        Assert.Equal(weak.Version, better.ComparedWithVersion);
        Assert.Equal(weak.Holdout.Auc, better.ComparedAuc!.Value, 1e-12);
        Assert.True(better.Holdout.Auc > better.ComparedAuc);
        Assert.Equal(better.Version, (await world.Registry().GetHeadAsync("late_delivery", Ct))!.PromotedVersion);
    }

    [Fact]
    public async Task HandRolledScorer_GivesTheProbabilitiesOfMlNetsOwnEngine()
    {
        await using var world = await MaterialisedAsync();
        var catalog = world.Catalog();
        var set = await new TrainingSetBuilder(world.Warehouse, catalog).BuildAsync(catalog.Tasks.Single(), cancellationToken: Ct);
        var model = ModelTrainer.Train(set);

        var ml = new MLContext();
        var transformer = ml.Model.Load(new MemoryStream(model.Artifact), out _);
        var schema = SchemaDefinition.Create(typeof(Input));
        schema[nameof(Input.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, set.Layout.Length);
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(transformer, inputSchemaDefinition: schema);
        var loaded = TreeEnsembleScorer.Load(new MemoryStream(model.Artifact), set.Layout.Length, model.Scorer.Slope, model.Scorer.Offset);

        foreach (var example in set.Examples.Take(500))
        {
            var expected = engine.Predict(new Input { Features = example.Features });
            Assert.True(Math.Abs(expected.Score - loaded.Score(example.Features)) <= 1e-5 * Math.Max(1, Math.Abs(expected.Score)), $"score {expected.Score} vs {loaded.Score(example.Features)}");
            Assert.Equal(expected.Probability, loaded.Probability(example.Features), 1e-6);
        }
    }

    [Fact]
    public async Task SameTrainingSet_TrainsTheSameModel()
    {
        await using var world = await MaterialisedAsync();
        var catalog = world.Catalog();
        var set = await new TrainingSetBuilder(world.Warehouse, catalog).BuildAsync(catalog.Tasks.Single(), cancellationToken: Ct);

        var a = ModelTrainer.Train(set);
        var b = ModelTrainer.Train(set);

        Assert.Equal(a.HoldoutProbabilities, b.HoldoutProbabilities);
        Assert.Equal(a.Holdout.Auc, b.Holdout.Auc);
    }

    [Fact]
    public async Task Training_BeforeTheFeaturesAreMaterialised_FailsNamingWhatToRun()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);

        var error = await Assert.ThrowsAsync<OpenTraceException>(() => world.Trainer().RunAsync(cancellationToken: Ct));

        Assert.Equal("training", error.Rule);
        Assert.Contains("features.customer does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("failed", await world.ScalarAsync<string>("SELECT status FROM ops.runs WHERE function = 'train'", Ct));
    }

    private async Task<FeatureWorld> MaterialisedAsync(bool copyPipelines = false)
    {
        var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines);
        await world.Materializer().RunAsync(cancellationToken: Ct);
        return world;
    }

    private sealed class Input
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float Score { get; set; }

        public float Probability { get; set; }
    }
}
