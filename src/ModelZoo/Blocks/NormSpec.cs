namespace ModelZoo.Blocks;

/// <summary>What a family asks of a normalisation layer; <see cref="LayerFactory.Norm"/> turns it into a module.</summary>
/// <param name="Channels">Channels (features) normalised.</param>
/// <param name="Eps">Epsilon added to the variance (torchvision's GoogLeNet uses 0.001).</param>
public sealed record NormSpec(long Channels, double Eps = 1e-5);
