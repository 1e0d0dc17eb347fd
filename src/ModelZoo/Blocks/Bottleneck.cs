using TorchSharp;
using TorchSharp.Modules;
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

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly ReLU relu;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Width of the inner 1x1 and 3x3 convolutions; the block outputs <c>4 x planes</c>.</param>
    /// <param name="stride">Stride of the 3x3 convolution.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Bottleneck(long inChannels, long planes, long stride = 1) : base(nameof(Bottleneck))
    {
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(planes, nameof(planes));
        BlockChecks.Positive(stride, nameof(stride));
        long outChannels = planes * Expansion;
        conv1 = nn.Conv2d(inChannels, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        conv3 = nn.Conv2d(planes, outChannels, 1, bias: false);
        bn3 = nn.BatchNorm2d(outChannels);
        relu = nn.ReLU(inplace: true);
        downsample = Shortcut.Projection(inChannels, outChannels, stride);
        OutChannels = outChannels;
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
        x = relu.call(bn2.call(conv2.call(x)));
        x = bn3.call(conv3.call(x));
        var identity = downsample is null ? input : downsample.call(input);
        return relu.call(x.add_(identity));
    }
}
