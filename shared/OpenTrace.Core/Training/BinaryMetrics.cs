namespace OpenTrace.Core.Training;

/// <summary>One tenth of the examples ranked by predicted probability.</summary>
/// <param name="Decile">1 (lowest predictions) to 10 (highest).</param>
/// <param name="Count">Examples in the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability.</param>
/// <param name="ObservedRate">Share of positives.</param>
public sealed record CalibrationBin(int Decile, long Count, double MeanPredicted, double ObservedRate);

/// <summary>How well probabilities rank and match outcomes.</summary>
/// <param name="Count">Examples.</param>
/// <param name="Positives">Positive examples.</param>
/// <param name="Auc">Area under the ROC curve (ties count half); NaN with only one class.</param>
/// <param name="LogLoss">Mean negative log-likelihood (natural log), probabilities clipped to [1e-15, 1 − 1e-15].</param>
/// <param name="Brier">Mean squared error of the probabilities.</param>
/// <param name="Calibration">Ten bins by predicted probability.</param>
public sealed record BinaryMetrics(long Count, long Positives, double Auc, double LogLoss, double Brier, IReadOnlyList<CalibrationBin> Calibration)
{
    private const double Clip = 1e-15;

    /// <summary>Share of positives.</summary>
    public double BaseRate => Count == 0 ? double.NaN : (double)Positives / Count;

    /// <summary>Computes the metrics of <paramref name="probabilities"/> against <paramref name="labels"/> (same length).</summary>
    public static BinaryMetrics Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities for {labels.Count} labels.", nameof(labels));
        }

        var n = probabilities.Count;
        long positives = 0;
        double logLoss = 0, brier = 0;
        for (var i = 0; i < n; i++)
        {
            var p = Math.Clamp(probabilities[i], Clip, 1 - Clip);
            var y = labels[i] ? 1.0 : 0.0;
            positives += labels[i] ? 1 : 0;
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
            brier += (probabilities[i] - y) * (probabilities[i] - y);
        }

        return new BinaryMetrics(
            n,
            positives,
            AreaUnderRoc(probabilities, labels),
            n == 0 ? double.NaN : logLoss / n,
            n == 0 ? double.NaN : brier / n,
            Deciles(probabilities, labels));
    }

    /// <summary>The probability that a random positive scores above a random negative (ties half), from average ranks.</summary>
    public static double AreaUnderRoc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static List<CalibrationBin> Deciles(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, probabilities.Count).OrderBy(i => probabilities[i]).ToArray();
        var bins = new List<CalibrationBin>(10);
        for (var d = 0; d < 10; d++)
        {
            var from = (int)((long)order.Length * d / 10);
            var to = (int)((long)order.Length * (d + 1) / 10);
            if (to <= from)
            {
                continue;
            }

            double predicted = 0, observed = 0;
            for (var k = from; k < to; k++)
            {
                predicted += probabilities[order[k]];
                observed += labels[order[k]] ? 1 : 0;
            }

            bins.Add(new CalibrationBin(d + 1, to - from, predicted / (to - from), observed / (to - from)));
        }

        return bins;
    }
}
