using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// A convolution followed by an optional batch norm and an optional ReLU. With batch norm the
/// convolution has no bias (the norm's shift replaces it). Parameter names are <c>conv.*</c> and
/// <c>bn.*</c>, as in torchvision's GoogLeNet <c>BasicConv2d</c>.
/// </summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv;
    private readonly nn.Module<Tensor, Tensor>? bn;
    private readonly nn.Module<Tensor, Tensor>? act;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding; null means <c>kernelSize / 2</c> ("same" for odd kernels at stride 1).</param>
    /// <param name="batchNorm">Insert a batch norm after the convolution (and drop the conv bias).</param>
    /// <param name="activation">Apply ReLU at the end.</param>
    /// <param name="bnEps">Batch-norm epsilon (torchvision's GoogLeNet uses 0.001).</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the padding is negative.</exception>
    public ConvBnAct(long inChannels, long outChannels, long kernelSize, long stride = 1, long? padding = null,
        bool batchNorm = true, bool activation = true, double bnEps = 1e-5, LayerFactory? layers = null) : base(nameof(ConvBnAct))
    {
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(outChannels, nameof(outChannels));
        BlockChecks.Positive(kernelSize, nameof(kernelSize));
        BlockChecks.Positive(stride, nameof(stride));
        long pad = padding ?? kernelSize / 2;
        if (pad < 0) throw new ArgumentOutOfRangeException(nameof(padding), pad, "padding must not be negative");
        layers ??= LayerFactory.Default;
        conv = layers.Conv(new ConvSpec(inChannels, outChannels, kernelSize, stride, pad, Bias: !batchNorm));
        bn = batchNorm ? layers.Norm(new NormSpec(outChannels, bnEps)) : null;
        act = activation ? layers.Activation() : null;
        InChannels = inChannels;
        OutChannels = outChannels;
        this.RegisterInOrder(("conv", conv), ("bn", bn), ("act", act));
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = conv.call(input);
        if (bn is not null) x = bn.call(x);
        if (act is not null) x = act.call(x);
        return x;
    }
}
