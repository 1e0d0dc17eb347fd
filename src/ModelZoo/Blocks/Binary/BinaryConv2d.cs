using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// A binarised 2-d convolution (Hubara et al.'s BNN; XNOR-Net with <see cref="BinaryLayerOptions.Scaling"/>): the latent
/// real-valued kernel <c>weight</c> is binarised by sign in the forward pass (straight-through gradient), and so is the
/// input unless <see cref="BinaryLayerOptions.BinarizeInput"/> is off. Output:
/// <c>conv(sign(x), sign(W)) * alpha + bias</c> (alpha = mean |W| per output channel when scaling, else 1; bias only
/// when asked for). Parameter names are torch's <c>weight</c> <c>[out, in, k, k]</c> and <c>bias</c>. Zero padding pads
/// the binarised input with 0. Call <see cref="BinaryLayers.ClipLatentWeights"/> after each optimiser step.
/// </summary>
public sealed class BinaryConv2d : nn.Module<Tensor, Tensor>, IConvLayer, IBinaryLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly ConvSpec spec;
    private Tensor? fixedScale;

    /// <summary>Creates the layer with zero latent weights (the zoo's initialiser draws them; see <see cref="WeightInit"/>).</summary>
    /// <param name="spec">Channels, kernel, stride, padding, bias.</param>
    /// <param name="options">How to binarise; null means <see cref="BinaryLayerOptions.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public BinaryConv2d(ConvSpec spec, BinaryLayerOptions? options = null) : base(nameof(BinaryConv2d))
    {
        ArgumentNullException.ThrowIfNull(spec);
        BlockChecks.Positive(spec.InChannels, nameof(spec));
        BlockChecks.Positive(spec.OutChannels, nameof(spec));
        BlockChecks.Positive(spec.KernelSize, nameof(spec));
        BlockChecks.Positive(spec.Stride, nameof(spec));
        this.spec = spec;
        Binary = options ?? BinaryLayerOptions.Default;
        weight = new Parameter(torch.zeros(spec.OutChannels, spec.InChannels, spec.KernelSize, spec.KernelSize));
        bias = spec.Bias ? new Parameter(torch.zeros(spec.OutChannels)) : null;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public BinaryLayerOptions Binary { get; }

    /// <inheritdoc/>
    public Tensor Weight => weight;

    /// <inheritdoc/>
    public Tensor? Bias => bias;

    /// <inheritdoc/>
    public Tensor LatentWeight => weight;

    /// <inheritdoc/>
    public Tensor? LatentBias => bias;

    /// <inheritdoc/>
    public long InChannels => spec.InChannels;

    /// <inheritdoc/>
    public long OutChannels => spec.OutChannels;

    /// <inheritdoc/>
    public (long Height, long Width) KernelSize => (spec.KernelSize, spec.KernelSize);

    /// <inheritdoc/>
    public (long Height, long Width) Stride => (spec.Stride, spec.Stride);

    /// <summary>Zero padding on each side.</summary>
    public long Padding => spec.Padding;

    /// <inheritdoc/>
    public Tensor? CurrentScale() => BinaryOperands.Scale(Binary, weight, fixedScale);

    /// <inheritdoc/>
    public void FixScale(Tensor? scale) => fixedScale = BinaryOperands.Fixed(scale, weight);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var (x, w) = BinaryOperands.Prepare(weight, input, Binary, training);
        var y = nn.functional.conv2d(x, w, null, strides: [spec.Stride, spec.Stride], padding: [spec.Padding, spec.Padding]);
        var scale = CurrentScale();
        if (scale is not null) y = y.mul(scale.view(1, -1, 1, 1));
        if (bias is not null) y = y.add(bias.view(1, -1, 1, 1));
        return y;
    }
}
