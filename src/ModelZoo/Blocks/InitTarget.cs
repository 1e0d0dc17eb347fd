using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>One layer's tensors as <see cref="WeightInit"/> hands them to a <see cref="DefaultInit"/>.</summary>
/// <param name="Role">Convolution or linear.</param>
/// <param name="Weight">The weight to fill in place.</param>
/// <param name="Bias">The bias to fill in place, or null.</param>
/// <param name="FanIn">Inputs per output (in / groups x kernel area for a convolution).</param>
/// <param name="FanOut">Outputs per input (out x kernel area for a convolution).</param>
public sealed record InitTarget(LayerRole Role, Tensor Weight, Tensor? Bias, long FanIn, long FanOut);
