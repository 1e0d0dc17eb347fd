using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// A binarised fully connected layer: <c>(sign(x) sign(W)^T) * alpha + bias</c> with the latent real-valued
/// <c>weight</c> <c>[out, in]</c> binarised by sign (straight-through gradient), the input binarised unless
/// <see cref="BinaryLayerOptions.BinarizeInput"/> is off, alpha = mean |W| per output when scaling (else 1). The scale
/// is applied after the product so that on ±1 inputs the result is an exact integer times alpha, which the
/// XNOR-popcount path (<see cref="XnorLinear"/>) reproduces bit for bit. Parameter names are torch's <c>weight</c>, <c>bias</c>.
/// </summary>
public sealed class BinaryLinear : nn.Module<Tensor, Tensor>, ILinearLayer, IBinaryLayer
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private Tensor? fixedScale;

    /// <summary>Creates the layer with zero latent weights (the zoo's initialiser draws them).</summary>
    /// <param name="spec">Features and bias.</param>
    /// <param name="options">How to binarise; null means <see cref="BinaryLayerOptions.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public BinaryLinear(LinearSpec spec, BinaryLayerOptions? options = null) : base(nameof(BinaryLinear))
    {
        ArgumentNullException.ThrowIfNull(spec);
        BlockChecks.Positive(spec.InFeatures, nameof(spec));
        BlockChecks.Positive(spec.OutFeatures, nameof(spec));
        InFeatures = spec.InFeatures;
        OutFeatures = spec.OutFeatures;
        Binary = options ?? BinaryLayerOptions.Default;
        weight = new Parameter(torch.zeros(spec.OutFeatures, spec.InFeatures));
        bias = spec.Bias ? new Parameter(torch.zeros(spec.OutFeatures)) : null;
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
    public long InFeatures { get; }

    /// <inheritdoc/>
    public long OutFeatures { get; }

    /// <inheritdoc/>
    public Tensor? CurrentScale() => BinaryOperands.Scale(Binary, weight, fixedScale);

    /// <inheritdoc/>
    public void FixScale(Tensor? scale) => fixedScale = BinaryOperands.Fixed(scale, weight);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var (x, w) = BinaryOperands.Prepare(weight, input, Binary, training);
        var y = nn.functional.linear(x, w);
        var scale = CurrentScale();
        if (scale is not null) y = y.mul(scale);
        if (bias is not null) y = y.add(bias);
        return y;
    }
}
