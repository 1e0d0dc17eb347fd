using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>One batch after <see cref="BatchMixing.Mix"/>.</summary>
/// <param name="Images">The mixed images (a new tensor; the input is not changed).</param>
/// <param name="Targets">Soft targets [batch, classes], each row summing to 1 (label smoothing folded in).</param>
/// <param name="Lambda">The weight of each image's own label: 1 for an unmixed batch; for CutMix, 1 minus the pasted box's share of the image.</param>
/// <param name="UsedCutMix">True when the batch was mixed by CutMix.</param>
/// <param name="Box">CutMix's box (top, bottom, left, right; bottom and right exclusive), or null.</param>
public sealed record MixedBatch(Tensor Images, Tensor Targets, double Lambda, bool UsedCutMix, (int Top, int Bottom, int Left, int Right)? Box);
