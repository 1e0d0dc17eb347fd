namespace ModelZoo.Training;

/// <summary>The result of the evaluation loop.</summary>
/// <param name="Loss">Mean cross-entropy loss (no label smoothing).</param>
/// <param name="Top1">Top-1 accuracy in [0, 1].</param>
/// <param name="Top5">Top-5 accuracy in [0, 1] (equal to 1 when there are at most 5 classes).</param>
/// <param name="Samples">Samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Top1, double Top5, long Samples);
