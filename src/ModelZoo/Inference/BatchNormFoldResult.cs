namespace ModelZoo.Inference;

/// <summary>What <see cref="BatchNormFolding.Fold"/> did, by module path (as in the state dict, e.g. <c>layer1.0.bn1</c>).</summary>
/// <param name="Folded">Batch norms folded into the convolution before them and replaced by the identity.</param>
/// <param name="Kept">Batch norms left as they were: no plain convolution right before them (a binarised convolution, a linear layer) or no running statistics.</param>
public sealed record BatchNormFoldResult(IReadOnlyList<string> Folded, IReadOnlyList<string> Kept);
