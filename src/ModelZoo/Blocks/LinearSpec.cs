namespace ModelZoo.Blocks;

/// <summary>What a family asks of a fully connected layer; <see cref="LayerFactory.Linear"/> turns it into a module.</summary>
/// <param name="InFeatures">Input features.</param>
/// <param name="OutFeatures">Output features.</param>
/// <param name="Bias">Whether the layer has a bias.</param>
public sealed record LinearSpec(long InFeatures, long OutFeatures, bool Bias = true);
