using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// A 2-D convolution that always computes on channels-last (NHWC) input: an NCHW input is converted first, and the
/// output is channels-last. The same parameters as <c>nn.Conv2d</c> and the same results up to floating-point
/// rounding (the convolution is the same; only the memory layout of its input differs).
/// </summary>
/// <remarks>
/// On CPUs that hide their cache sizes (some virtual machines), libtorch 2.10's oneDNN returns wrong values (or NaN in
/// bf16) for some NCHW convolutions, GoogLeNet's 24-channel 3x3 convolutions among them, while the same convolutions in
/// channels-last are right (bench/OneDnnProbe; docs/troubleshooting.md). <see cref="LayerFactory.Default"/> builds every
/// convolution that is not 1x1 with this layer there (1x1 ones are <see cref="PointwiseConv2d"/>), so a network is right
/// whatever layout its input comes in. State dicts, torchvision weights, ONNX export, weight initialisation,
/// batch-norm folding and the inspector treat it as the convolution it replaces.
/// </remarks>
public sealed class ChannelsLastConv2d : Convolution
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Stride (the same in both directions).</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the padding is negative.</exception>
    public ChannelsLastConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(ChannelsLastConv2d), Checked(inChannels, nameof(inChannels)), Checked(outChannels, nameof(outChannels)),
            [Checked(kernelSize, nameof(kernelSize)), kernelSize], [Checked(stride, nameof(stride)), stride], [NotNegative(padding), padding],
            null, [1, 1], false, [0, 0], 1, bias, PaddingModes.Zeros, null, null)
    {
    }

    private static long Checked(long value, string name)
    {
        BlockChecks.Positive(value, name);
        return value;
    }

    private static long NotNegative(long padding) =>
        padding >= 0 ? padding : throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must not be negative");

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || ModelZoo.ChannelsLast.IsChannelsLast(input))
            return nn.functional.conv2d(input, weight!, bias, strides: stride, padding: padding);
        using var nhwc = ModelZoo.ChannelsLast.Convert(input);
        return nn.functional.conv2d(nhwc, weight!, bias, strides: stride, padding: padding);
    }
}
