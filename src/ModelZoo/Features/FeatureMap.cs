using static TorchSharp.torch;

namespace ModelZoo.Features;

/// <summary>One stage output of a <see cref="FeatureExtractor"/> forward pass.</summary>
/// <param name="Node">The module it was taken from (e.g. <c>layer2</c>).</param>
/// <param name="Map">The feature map, N x C x H x W.</param>
/// <param name="Reduction">How many input pixels one map pixel spans (input height / map height), e.g. 8.</param>
public sealed record FeatureMap(string Node, Tensor Map, int Reduction);
