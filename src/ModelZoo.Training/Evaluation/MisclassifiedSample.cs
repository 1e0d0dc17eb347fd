namespace ModelZoo.Evaluation;

/// <summary>A sample the model got wrong.</summary>
/// <param name="Index">Index of the sample in the evaluated data set.</param>
/// <param name="Label">True class index.</param>
/// <param name="Predicted">Predicted class index.</param>
/// <param name="Confidence">Probability the model gave its (wrong) prediction.</param>
public sealed record MisclassifiedSample(int Index, int Label, int Predicted, float Confidence)
{
    /// <summary>The sample's image file when the data is a folder of files (ImageNet-format), so a person can open it; null for in-memory data such as MNIST.</summary>
    public string? File { get; init; }
}
