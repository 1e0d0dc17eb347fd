using ModelZoo.Blocks;

namespace ModelZoo.Training.Experiments;

/// <summary>The distribution of one layer's activations at initialisation.</summary>
/// <param name="Network">"mlp" (the seed's 5-layer MLP) or the model name.</param>
/// <param name="Activation">"sigmoid", "tanh" or "relu".</param>
/// <param name="Init">The initialisation scheme.</param>
/// <param name="Layer">1-based layer (the n-th activation).</param>
/// <param name="LayerName">The module's name (<c>features.1</c>) or "layer N".</param>
/// <param name="Low">Lower edge of the first bin.</param>
/// <param name="High">Upper edge of the last bin.</param>
/// <param name="Counts">Counts per bin (equal widths; values outside [Low, High] and, for ReLU, exact zeros are not counted).</param>
/// <param name="Mean">Mean of all the layer's activations.</param>
/// <param name="Std">Standard deviation of all the layer's activations.</param>
/// <param name="ZeroFraction">Fraction of activations that are exactly 0 (ReLU's dead units).</param>
public sealed record ActivationHistogram(
    string Network,
    string Activation,
    InitScheme Init,
    int Layer,
    string LayerName,
    double Low,
    double High,
    IReadOnlyList<long> Counts,
    double Mean,
    double Std,
    double ZeroFraction);
