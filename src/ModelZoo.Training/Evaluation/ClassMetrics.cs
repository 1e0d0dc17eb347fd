namespace ModelZoo.Evaluation;

/// <summary>Per-class figures of an evaluation.</summary>
/// <param name="Name">Class name.</param>
/// <param name="Support">Samples whose true label is this class.</param>
/// <param name="Predicted">Samples predicted as this class.</param>
/// <param name="TruePositives">Samples of this class predicted correctly.</param>
/// <param name="Precision">TruePositives / Predicted (0 when nothing was predicted as this class).</param>
/// <param name="Recall">TruePositives / Support (0 when the class has no samples).</param>
public sealed record ClassMetrics(string Name, long Support, long Predicted, long TruePositives, double Precision, double Recall)
{
    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}
