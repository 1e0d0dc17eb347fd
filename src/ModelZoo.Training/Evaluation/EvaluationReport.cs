namespace ModelZoo.Evaluation;

/// <summary>Everything <see cref="Evaluator"/> measured.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="Models">Models in the ensemble (1 for a single model).</param>
/// <param name="Loss">One model: mean cross-entropy of its logits (no label smoothing). An ensemble: mean negative log of the averaged probability of the true class.</param>
/// <param name="Top1">Top-1 accuracy in [0, 1].</param>
/// <param name="TopK">Top-k accuracy in [0, 1] (k = <paramref name="K"/>).</param>
/// <param name="K">The k of <paramref name="TopK"/>.</param>
/// <param name="ClassNames">Class names, index = class (empty when evaluated without them).</param>
/// <param name="Classes">Per-class precision and recall (empty without <see cref="EvaluationOptions.Details"/>).</param>
/// <param name="Confusion">Confusion counts: <c>Confusion[true][predicted]</c> (empty without details).</param>
/// <param name="Misclassified">The most confident mistakes, most confident first (empty without details).</param>
public sealed record EvaluationReport(
    long Samples,
    int Models,
    double Loss,
    double Top1,
    double TopK,
    int K,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<ClassMetrics> Classes,
    long[][] Confusion,
    IReadOnlyList<MisclassifiedSample> Misclassified)
{
    /// <summary>
    /// The samples with the highest loss, highest first (at most <see cref="EvaluationOptions.MaxTopLosses"/>; empty
    /// without details or when evaluated across several processes).
    /// </summary>
    public IReadOnlyList<SampleLoss> TopLosses { get; init; } = [];

    /// <summary>Writes the confusion matrix as CSV: a header row of predicted class names, then one row per true class.</summary>
    public void WriteConfusionCsv(TextWriter writer)
    {
        writer.Write("true\\predicted");
        foreach (var name in ClassNames) writer.Write("," + Csv(name));
        writer.WriteLine();
        for (int t = 0; t < ClassNames.Count; t++)
        {
            writer.Write(Csv(ClassNames[t]));
            foreach (var count in Confusion[t]) writer.Write("," + count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteLine();
        }
    }

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
