using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// A 1x1 convolution (no padding, any stride) that computes its training passes as a matrix product: the same
/// parameters as <c>nn.Conv2d</c> (<c>weight</c> of shape <c>[out, in, 1, 1]</c>, optional <c>bias</c>), the same
/// results up to floating-point rounding, and no oneDNN convolution in its backward pass.
/// </summary>
/// <remarks>
/// <para>
/// On CPUs that hide their cache sizes (some virtual machines), libtorch 2.10's oneDNN divides by zero while planning
/// the backward pass of 1x1 convolutions with a few channel pairs (ResNet-50's; see
/// <see cref="TorchRuntime.PointwiseConvolutionCrashes"/>) and the process dies with SIGFPE. <see cref="LayerFactory.Default"/>
/// builds exactly those convolutions with this layer there, so oneDNN stays on for everything else.
/// </para>
/// <para>
/// When a gradient is needed (autograd on and the input or the weight requires one) the forward pass is
/// <c>weight[out, in] x input[in, pixels]</c> on the (strided) input, whose backward is two more matrix products.
/// Otherwise (evaluation, inference, <c>no_grad</c>) it is the ordinary convolution, which oneDNN runs safely. Outputs
/// keep the input's memory format (NCHW or channels-last). State dicts, torchvision weights, ONNX export, weight
/// initialisation and the inspector treat it as the convolution it replaces.
/// </para>
/// </remarks>
public sealed class PointwiseConv2d : Convolution
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride (the same in both directions).</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public PointwiseConv2d(long inChannels, long outChannels, long stride = 1, bool bias = true)
        : base(nameof(PointwiseConv2d), Checked(inChannels, nameof(inChannels)), Checked(outChannels, nameof(outChannels)), [1, 1],
            [Checked(stride, nameof(stride)), stride], [0, 0], null, [1, 1], false, [0, 0], 1, bias, PaddingModes.Zeros, null, null)
    {
    }

    private static long Checked(long value, string name)
    {
        BlockChecks.Positive(value, name);
        return value;
    }

    /// <summary>True when the last forward pass used the matrix-product path (a gradient was needed).</summary>
    internal bool LastForwardWasMatmul { get; private set; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var w = weight!;
        bool needsGradient = is_grad_enabled() && (input.requires_grad || w.requires_grad || (bias?.requires_grad ?? false));
        LastForwardWasMatmul = needsGradient;
        if (!needsGradient || input.dim() != 4)
            return nn.functional.conv2d(input, w, bias, strides: stride, padding: [0, 0]);

        using var scope = NewDisposeScope();
        // The layout is the input's (a strided slice of a channels-last tensor is no longer dense).
        bool nhwc = ModelZoo.ChannelsLast.IsChannelsLast(input) && !input.is_contiguous();
        var x = input;
        if (stride[0] > 1 || stride[1] > 1)
            x = x.slice(2, 0, x.shape[2], stride[0]).slice(3, 0, x.shape[3], stride[1]);
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        long o = out_channels;
        var kernel = w.reshape(o, c);
        Tensor y;
        if (nhwc)
        {
            // NHWC memory: pixels x channels times channels x outputs, viewed back as channels-last NCHW.
            var pixels = x.permute(0, 2, 3, 1).reshape(n * h * wd, c);
            var product = pixels.matmul(kernel.t());
            if (bias is { } b) product = product.add(b.to_type(product.dtype));
            y = product.view(n, h, wd, o).permute(0, 3, 1, 2);
        }
        else
        {
            var product = kernel.matmul(x.reshape(n, c, h * wd));
            if (bias is { } b) product = product.add(b.to_type(product.dtype).view(1, o, 1));
            y = product.view(n, o, h, wd);
        }
        return y.MoveToOuterDisposeScope();
    }
}
