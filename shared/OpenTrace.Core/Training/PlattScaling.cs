namespace OpenTrace.Core.Training;

/// <summary>
/// Platt scaling: fits p = 1 / (1 + exp(Slope · score + Offset)) to held-out scores by maximum likelihood (Newton's
/// method on Platt's smoothed targets), the form ML.NET's Platt calibrator evaluates.
/// </summary>
/// <param name="Slope">Multiplies the raw score (negative when higher scores mean more positive).</param>
/// <param name="Offset">Added to it.</param>
public sealed record PlattScaling(double Slope, double Offset)
{
    /// <summary>The calibrated probability of a raw score.</summary>
    public double Probability(double score) => 1.0 / (1.0 + Math.Exp((Slope * score) + Offset));

    /// <summary>Fits the two parameters to <paramref name="scores"/> and <paramref name="labels"/>.</summary>
    public static PlattScaling Fit(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("Platt scaling needs both positive and negative examples.", nameof(labels));
        }

        // Smoothed targets keep the fit finite when the classes separate.
        var high = (positives + 1.0) / (positives + 2.0);
        var low = 1.0 / (negatives + 2.0);
        double a = 0, b = Math.Log((negatives + 1.0) / (positives + 1.0));
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double g1 = 0, g2 = 0, h11 = 1e-12, h22 = 1e-12, h21 = 0;
            for (var i = 0; i < scores.Count; i++)
            {
                var t = labels[i] ? high : low;
                var p = 1.0 / (1.0 + Math.Exp((a * scores[i]) + b));
                var d = t - p;
                g1 += scores[i] * d;
                g2 += d;
                var w = p * (1 - p);
                h11 += scores[i] * scores[i] * w;
                h22 += w;
                h21 += scores[i] * w;
            }

            // With z = a·s + b, dp/dz = −p(1 − p): the negative log-likelihood has gradient (g1, g2) and Hessian h.
            var determinant = (h11 * h22) - (h21 * h21);
            if (Math.Abs(determinant) < 1e-20)
            {
                break;
            }

            var da = ((h22 * g1) - (h21 * g2)) / determinant;
            var db = ((h11 * g2) - (h21 * g1)) / determinant;
            a -= da;
            b -= db;
            if (Math.Abs(da) < 1e-9 && Math.Abs(db) < 1e-9)
            {
                break;
            }
        }

        return new PlattScaling(a, b);
    }
}
