namespace ModelZoo.Blocks.Binary;

/// <summary>How a <see cref="BinaryConv2d"/> or <see cref="BinaryLinear"/> binarises.</summary>
public sealed record BinaryLayerOptions
{
    /// <summary>The default: binarised inputs and weights, STE gradients, no scaling (Hubara et al.'s BNN).</summary>
    public static BinaryLayerOptions Default { get; } = new();

    /// <summary>Binarise the input too (the input quantiser, hardtanh-clipped STE); false keeps real-valued inputs (weights-only binarisation).</summary>
    public bool BinarizeInput { get; init; } = true;

    /// <summary>Surrogate gradient of the input quantiser.</summary>
    public BinaryGradient InputGradient { get; init; } = BinaryGradient.SteSign;

    /// <summary>Scale each output channel by <c>alpha = mean |W|</c> (XNOR-Net, larq's <c>MagnitudeAwareSign</c>).</summary>
    public bool Scaling { get; init; }

    /// <summary>
    /// In training mode, clamp the latent weight to [-1, 1] (in place, no gradient) at the start of each forward pass,
    /// so a trainer that knows nothing of binary layers still keeps latent weights clipped (the clip of step t happens
    /// at the start of step t+1, before the weight is used). On by default; turn it off to clip only through
    /// <see cref="BinaryLayers.ClipLatentWeights"/> after each optimiser step.
    /// </summary>
    public bool ClipLatentInForward { get; init; } = true;
}
