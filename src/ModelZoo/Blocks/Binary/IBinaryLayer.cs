using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// A layer with 1-bit weights held as latent real-valued ones: what <see cref="BinaryLayers.ClipLatentWeights"/>,
/// the inspector and <see cref="BinaryPacking"/> look for.
/// </summary>
public interface IBinaryLayer
{
    /// <summary>The latent full-precision weight (the parameter <c>weight</c>).</summary>
    Tensor LatentWeight { get; }

    /// <summary>The bias (parameter <c>bias</c>), or null.</summary>
    Tensor? LatentBias { get; }

    /// <summary>How the layer binarises.</summary>
    BinaryLayerOptions Binary { get; }

    /// <summary>
    /// The per-output-channel scale the forward pass multiplies by: <c>mean |W|</c> when <see cref="BinaryLayerOptions.Scaling"/>
    /// (or the fixed scale a packed file set), else null.
    /// </summary>
    Tensor? CurrentScale();

    /// <summary>
    /// Fixes the scale (a packed model's saved <c>alpha</c>) instead of computing it from the latent weight; null goes
    /// back to computing it. Only meaningful when <see cref="BinaryLayerOptions.Scaling"/> is on.
    /// </summary>
    void FixScale(Tensor? scale);
}
