namespace ModelZoo.Weights;

/// <summary>What <see cref="PretrainedWeights.Load"/> did.</summary>
/// <param name="Loaded">Keys copied into the model.</param>
/// <param name="Missing">Model keys the file did not have (left as they were; empty after a strict load).</param>
/// <param name="Unexpected">File keys the model does not have (ignored; empty after a strict load).</param>
/// <param name="StrippedPrefix">The wrapper prefix removed from the file's keys (<c>module.</c>, <c>state_dict.</c>, ...), or empty.</param>
public sealed record WeightsLoadResult(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, string StrippedPrefix)
{
    /// <summary>Keys loaded after adapting them to the model (the first convolution for another number of input channels).</summary>
    public IReadOnlyList<string> Adapted { get; init; } = [];

    /// <summary>Classifier keys left as the model initialised them, because the file's classes differ (fine-tuning).</summary>
    public IReadOnlyList<string> Reinitialized { get; init; } = [];
}
