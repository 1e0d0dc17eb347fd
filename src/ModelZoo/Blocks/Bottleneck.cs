using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The three-convolution residual block of ResNet-50/101/152: 1x1 reduce to <c>planes</c>, 3x3 (carrying the
/// stride, as in torchvision's "ResNet v1.5"), 1x1 expand to <c>4 x planes</c>, each followed by batch norm,
/// ReLU after the first two and after the residual sum. The shortcut is a projection
/// (<c>downsample</c>: 1x1 convolution + batch norm) whenever the shape changes.
/// Parameter names follow torchvision (<c>conv1..3</c>, <c>bn1..3</c>, <c>downsample.0/1</c>).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (4 for the bottleneck).</summary>
    public const int Expansion = 4;

    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor> conv3;
    private readonly nn.Module<Tensor, Tensor> bn3;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Width of the inner 1x1 and 3x3 convolutions; the block outputs <c>4 x planes</c>.</param>
    /// <param name="stride">Stride of the 3x3 convolution.</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Bottleneck(long inChannels, long planes, long stride = 1, LayerFactory? layers = null) : base(nameof(Bottleneck))
    {
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(planes, nameof(planes));
        BlockChecks.Positive(stride, nameof(stride));
        long outChannels = planes * Expansion;
        layers ??= LayerFactory.Default;
        conv1 = layers.Conv(new ConvSpec(inChannels, planes, 1, Bias: false));
        bn1 = layers.Norm(new NormSpec(planes));
        conv2 = layers.Conv(new ConvSpec(planes, planes, 3, stride, 1, Bias: false));
        bn2 = layers.Norm(new NormSpec(planes));
        conv3 = layers.Conv(new ConvSpec(planes, outChannels, 1, Bias: false));
        bn3 = layers.Norm(new NormSpec(outChannels));
        relu = layers.Activation();
        downsample = Shortcut.Projection(inChannels, outChannels, stride, layers);
        OutChannels = outChannels;
        this.RegisterInOrder(("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3), ("relu", relu), ("downsample", downsample));
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>True when the shortcut is a projection rather than the identity.</summary>
    public bool HasProjection => downsample is not null;

    /// <summary>
    /// Zeros the weight (gamma) of the last norm, <c>bn3</c>, so the block starts as its shortcut (torchvision's
    /// <c>zero_init_residual</c>).
    /// </summary>
    public void ZeroInitResidual() => Shortcut.ZeroNormWeight(bn3);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = relu.call(bn1.call(conv1.call(input)));
        x = relu.call(bn2.call(conv2.call(x)));
        x = bn3.call(conv3.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return relu.call(x.add_(identity));
    }
}
