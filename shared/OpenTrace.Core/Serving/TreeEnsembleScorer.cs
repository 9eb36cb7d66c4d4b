using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace OpenTrace.Core.Serving;

/// <summary>
/// Scores a vector with the trees of an ML.NET FastTree binary model and a Platt calibration, without ML.NET on the
/// hot path: the trees are copied once into flat arrays, and a score walks them with no allocation. Gives the same
/// score (to float rounding) as ML.NET's prediction engine on the same model.
/// </summary>
public sealed class TreeEnsembleScorer
{
    private readonly int[] _treeNodes;
    private readonly int[] _treeLeaves;
    private readonly double[] _treeWeights;
    private readonly int[] _splitFeature;
    private readonly float[] _threshold;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _leafValue;
    private readonly double _bias;

    private TreeEnsembleScorer(
        int[] treeNodes, int[] treeLeaves, double[] treeWeights, int[] splitFeature, float[] threshold, int[] left, int[] right, double[] leafValue, double bias, int featureCount, double slope, double offset)
    {
        _treeNodes = treeNodes;
        _treeLeaves = treeLeaves;
        _treeWeights = treeWeights;
        _splitFeature = splitFeature;
        _threshold = threshold;
        _left = left;
        _right = right;
        _leafValue = leafValue;
        _bias = bias;
        FeatureCount = featureCount;
        Slope = slope;
        Offset = offset;
    }

    /// <summary>Trees in the ensemble.</summary>
    public int Trees => _treeWeights.Length;

    /// <summary>Length of the vectors it scores.</summary>
    public int FeatureCount { get; }

    /// <summary>Platt slope: p = 1 / (1 + exp(Slope · score + Offset)).</summary>
    public double Slope { get; }

    /// <summary>Platt offset.</summary>
    public double Offset { get; }

    /// <summary>
    /// Copies the trees of the FastTree binary predictor in <paramref name="model"/> (a model, or a chain whose first
    /// part is one) and pairs them with the Platt parameters. Throws <see cref="InvalidDataException"/> for another kind
    /// of model or categorical splits.
    /// </summary>
    public static TreeEnsembleScorer FromModel(ITransformer model, int featureCount, double slope, double offset)
    {
        ArgumentNullException.ThrowIfNull(model);
        var predictor = model switch
        {
            TransformerChain<ITransformer> chain => chain.FirstOrDefault(),
            _ => model,
        };
        var ensemble = predictor is ISingleFeaturePredictionTransformer<object> { Model: var parameters }
            ? parameters switch
            {
                CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> calibrated => calibrated.SubModel.TrainedTreeEnsemble,
                FastTreeBinaryModelParameters plain => plain.TrainedTreeEnsemble,
                _ => null,
            }
            : null;
        if (ensemble is null)
        {
            throw new InvalidDataException($"The model is a {predictor?.GetType().Name ?? "empty chain"}, not an ML.NET FastTree binary classifier.");
        }

        var trees = ensemble.Trees;
        var nodes = trees.Sum(t => t.NumberOfNodes);
        var leaves = trees.Sum(t => t.NumberOfLeaves);
        var scorer = new TreeEnsembleScorer(
            new int[trees.Count], new int[trees.Count], ensemble.TreeWeights.ToArray(), new int[nodes], new float[nodes], new int[nodes], new int[nodes], new double[leaves], ensemble.Bias, featureCount, slope, offset);
        int node = 0, leaf = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            if (tree.CategoricalSplitFlags.Any(f => f))
            {
                throw new InvalidDataException("The model has categorical splits; the scorer reads numeric splits only.");
            }

            scorer._treeNodes[t] = node;
            scorer._treeLeaves[t] = leaf;
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.NumericalSplitFeatureIndexes[n] >= featureCount)
                {
                    throw new InvalidDataException($"A split reads feature {tree.NumericalSplitFeatureIndexes[n]}; vectors have {featureCount}.");
                }

                scorer._splitFeature[node + n] = tree.NumericalSplitFeatureIndexes[n];
                scorer._threshold[node + n] = tree.NumericalSplitThresholds[n];
                scorer._left[node + n] = tree.LeftChild[n];
                scorer._right[node + n] = tree.RightChild[n];
            }

            for (var l = 0; l < tree.NumberOfLeaves; l++)
            {
                scorer._leafValue[leaf + l] = tree.LeafValues[l];
            }

            node += tree.NumberOfNodes;
            leaf += tree.NumberOfLeaves;
        }

        return scorer;
    }

    /// <summary>Loads an ML.NET model zip and copies its trees (see <see cref="FromModel"/>).</summary>
    public static TreeEnsembleScorer Load(Stream zip, int featureCount, double slope, double offset)
    {
        ArgumentNullException.ThrowIfNull(zip);
        var model = new MLContext().Model.Load(zip, out _);
        return FromModel(model, featureCount, slope, offset);
    }

    /// <summary>The raw score: the weighted sum of the leaves <paramref name="features"/> reaches, plus the bias.</summary>
    public double Score(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"The vector has {features.Length} values; the model takes {FeatureCount}.", nameof(features));
        }

        var score = _bias;
        for (var t = 0; t < _treeWeights.Length; t++)
        {
            var baseNode = _treeNodes[t];
            var nodesEnd = t + 1 < _treeNodes.Length ? _treeNodes[t + 1] : _splitFeature.Length;
            var next = nodesEnd == baseNode ? -1 : 0; // a tree of one leaf has no split
            while (next >= 0)
            {
                var at = baseNode + next;
                next = features[_splitFeature[at]] <= _threshold[at] ? _left[at] : _right[at];
            }

            score += _treeWeights[t] * _leafValue[_treeLeaves[t] + ~next];
        }

        return score;
    }

    /// <summary>The calibrated probability of <paramref name="features"/>.</summary>
    public double Probability(ReadOnlySpan<float> features) => 1.0 / (1.0 + Math.Exp((Slope * Score(features)) + Offset));
}
