using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// A 1x1 convolution (no padding, any stride) computed as a matrix product, <c>weight[out, in] x input[in, pixels]</c>
/// on the (strided) input: the same parameters as <c>nn.Conv2d</c> (<c>weight</c> of shape <c>[out, in, 1, 1]</c>,
/// optional <c>bias</c>), the same results up to floating-point rounding, and no oneDNN convolution in either pass.
/// </summary>
/// <remarks>
/// <para>
/// On CPUs that hide their cache sizes (some virtual machines), libtorch 2.10's oneDNN mis-plans 1x1 convolutions: the
/// backward pass of five channel pairs (ResNet-50's) dies with SIGFPE, and the float32 channels-last forward pass of
/// many others (ResNet-18's projections among them) returns wrong values (docs/troubleshooting.md).
/// <see cref="LayerFactory.Default"/> builds every 1x1 convolution with this layer there, so oneDNN stays on for the
/// rest of the network.
/// </para>
/// <para>
/// The backward pass is two more matrix products. Outputs keep the input's memory format (NCHW or channels-last);
/// under autocast the products run in 16 bits like the convolution they replace (<c>matmul</c> is on autocast's
/// lower-precision list). State dicts, torchvision weights, ONNX export, weight initialisation, batch-norm folding and
/// the inspector treat it as the convolution it replaces.
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

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var w = weight!;
        if (input.dim() != 4) throw new ArgumentException($"{nameof(PointwiseConv2d)} expects a 4-D input (N, C, H, W), got {input.dim()} dimensions", nameof(input));
        if (input.shape[1] != in_channels) throw new ArgumentException($"{nameof(PointwiseConv2d)} expects {in_channels} input channels, got {input.shape[1]}", nameof(input));

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
