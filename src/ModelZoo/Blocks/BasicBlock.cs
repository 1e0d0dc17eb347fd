using TorchSharp;
using TorchSharp.Modules;
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

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Output channels of both convolutions (and of the block).</param>
    /// <param name="stride">Stride of the first convolution (2 halves the spatial size).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public BasicBlock(long inChannels, long planes, long stride = 1) : base(nameof(BasicBlock))
    {
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(planes, nameof(planes));
        BlockChecks.Positive(stride, nameof(stride));
        conv1 = nn.Conv2d(inChannels, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        downsample = Shortcut.Projection(inChannels, planes * Expansion, stride);
        OutChannels = planes * Expansion;
        RegisterComponents();
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>True when the shortcut is a projection rather than the identity.</summary>
    public bool HasProjection => downsample is not null;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = relu.call(bn1.call(conv1.call(input)));
        x = bn2.call(conv2.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return relu.call(x.add_(identity));
    }
}
