using OpenTrace.Core.Training;

namespace OpenTrace.Core.Tests.Training;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void Auc_EqualsThePairwiseShareOfPositivesRankedAboveNegatives_TiesHalf()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 400).Select(_ => Math.Round(random.NextDouble(), 1)).ToList(); // many ties
        var labels = scores.Select(s => random.NextDouble() < s).ToList();
        double wins = 0, pairs = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            for (var j = 0; j < scores.Count; j++)
            {
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(wins / pairs, BinaryMetrics.AreaUnderRoc(scores, labels), 12);
        Assert.Equal(1.0, BinaryMetrics.AreaUnderRoc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.0, BinaryMetrics.AreaUnderRoc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
        Assert.True(double.IsNaN(BinaryMetrics.AreaUnderRoc([0.1, 0.2], [true, true])));
    }

    [Fact]
    public void LogLossAndBrier_OfAConstantPrediction_MatchTheirFormulas()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 20).ToList();

        var metrics = BinaryMetrics.Compute(labels.Select(_ => 0.2).ToList(), labels);

        Assert.Equal(-((0.2 * Math.Log(0.2)) + (0.8 * Math.Log(0.8))), metrics.LogLoss, 12);
        Assert.Equal((0.2 * 0.64) + (0.8 * 0.04), metrics.Brier, 12);
        Assert.Equal((100, 20, 0.2), (metrics.Count, metrics.Positives, metrics.BaseRate));
    }

    [Fact]
    public void Calibration_SplitsTheExamplesIntoTenBinsByPrediction()
    {
        var predictions = Enumerable.Range(0, 1000).Select(i => i / 1000.0).ToList();
        var labels = predictions.Select(p => p >= 0.9).ToList();

        var bins = BinaryMetrics.Compute(predictions, labels).Calibration;

        Assert.Equal(Enumerable.Range(1, 10), bins.Select(b => b.Decile));
        Assert.All(bins, b => Assert.Equal(100, b.Count));
        Assert.Equal(0.0495, bins[0].MeanPredicted, 6);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0], bins.Select(b => b.ObservedRate));
    }

    [Fact]
    public void PlattScaling_RecoversTheParametersThatMadeTheLabels()
    {
        var random = new Random(11);
        var scores = Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 8) - 4).ToList();
        var truth = new PlattScaling(-1.5, 0.7);
        var labels = scores.Select(s => random.NextDouble() < truth.Probability(s)).ToList();

        var fitted = PlattScaling.Fit(scores, labels);

        Assert.InRange(fitted.Slope, -1.6, -1.4);
        Assert.InRange(fitted.Offset, 0.6, 0.8);
        Assert.Equal(truth.Probability(1.0), fitted.Probability(1.0), 0.02);
    }

    [Fact]
    public void Split_KeepsTheLatestEventsForTheHoldout_CuttingBetweenInstants()
    {
        var at = new DateTimeOffset(2018, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var examples = Enumerable.Range(0, 100)
            .Select(i => new TrainingExample($"e{i}", at.AddHours(i < 85 ? i : 79), i % 7 == 0, [], double.NaN)) // 79..99 share one instant
            .OrderBy(e => e.EventTimestamp)
            .ToList();

        var split = ModelTrainer.Split(examples, 0.2);

        Assert.Equal(at.AddHours(79), split.HoldoutFrom);
        Assert.Equal(100 - 79, split.HoldoutRows);
        Assert.Equal(79, split.TrainRows + split.CalibrationRows);
        Assert.Equal(8, split.CalibrationRows);
    }
}
