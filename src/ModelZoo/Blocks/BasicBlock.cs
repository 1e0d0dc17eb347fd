using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The two-convolution residual block of ResNet-18/34: <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>.
/// When the stride is not 1 or the channel count changes, the shortcut is a projection
/// (<c>downsample</c>: 1x1 convolution with the block's stride + batch norm); otherwise it is the identity.
/// Parameter names follow torchvision (<c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>downsample.0</c>, <c>downsample.1</c>).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c> (1 for the basic block).</summary>
    public const int Expansion = 1;

    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Output channels of both convolutions (and of the block).</param>
    /// <param name="stride">Stride of the first convolution (2 halves the spatial size).</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public BasicBlock(long inChannels, long planes, long stride = 1, LayerFactory? layers = null) : base(nameof(BasicBlock))
    {
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(planes, nameof(planes));
        BlockChecks.Positive(stride, nameof(stride));
        layers ??= LayerFactory.Default;
        conv1 = layers.Conv(new ConvSpec(inChannels, planes, 3, stride, 1, Bias: false));
        bn1 = layers.Norm(new NormSpec(planes));
        relu = layers.Activation();
        conv2 = layers.Conv(new ConvSpec(planes, planes, 3, 1, 1, Bias: false));
        bn2 = layers.Norm(new NormSpec(planes));
        downsample = Shortcut.Projection(inChannels, planes * Expansion, stride, layers);
        OutChannels = planes * Expansion;
        this.RegisterInOrder(("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2), ("downsample", downsample));
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>True when the shortcut is a projection rather than the identity.</summary>
    public bool HasProjection => downsample is not null;

    /// <summary>
    /// Zeros the weight (gamma) of the last norm, <c>bn2</c>, so the block starts as its shortcut (torchvision's
    /// <c>zero_init_residual</c>).
    /// </summary>
    public void ZeroInitResidual() => Shortcut.ZeroNormWeight(bn2);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = relu.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return relu.call(x.add_(identity));
    }
}
