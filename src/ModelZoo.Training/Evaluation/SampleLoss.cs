namespace ModelZoo.Evaluation;

/// <summary>One sample's loss, for the "top losses" list of a report (right or wrong).</summary>
/// <param name="Index">Index of the sample in the evaluated data set.</param>
/// <param name="Label">True class index.</param>
/// <param name="Predicted">Predicted class index.</param>
/// <param name="Confidence">Probability the model gave its prediction.</param>
/// <param name="Loss">The sample's loss: cross-entropy of one model's logits, or minus the log of an ensemble's averaged probability of the true class.</param>
public sealed record SampleLoss(int Index, int Label, int Predicted, float Confidence, float Loss)
{
    /// <summary>The sample's image file when the data is a folder of files (ImageNet-format); null for in-memory data such as MNIST.</summary>
    public string? File { get; init; }
}
