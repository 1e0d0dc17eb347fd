namespace ModelZoo.Evaluation;

/// <summary>Options of <see cref="Evaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The k of top-k accuracy (top-5 by default; clamped to the number of classes).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>How many misclassified samples to keep for the figure (the most confident mistakes first).</summary>
    public int MaxMisclassified { get; init; } = 64;

    /// <summary>Device to run on; null means the device of the first model's parameters (CPU if it has none).</summary>
    public TorchSharp.torch.Device? Device { get; init; }
}
