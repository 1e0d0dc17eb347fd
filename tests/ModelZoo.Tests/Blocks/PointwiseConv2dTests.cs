using ModelZoo.Blocks;
using ModelZoo.Inspection;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Blocks;

/// <summary>
/// <see cref="PointwiseConv2d"/> is the 1x1 convolution it replaces: same parameters, same outputs and gradients
/// (fp32 within 1e-5 of a float64 convolution, relative to the largest value), the input's memory format kept, 16-bit under autocast like a
/// convolution; and it takes the matrix-product path exactly when a gradient is needed.
/// </summary>
[Category("Blocks")]
public class PointwiseConv2dTests
{
    private static double MaxDiff(Tensor a, Tensor b) => a.to_type(ScalarType.Float64).sub(b.to_type(ScalarType.Float64)).abs().max().item<double>();

    /// <summary>Largest difference relative to the reference's largest magnitude (a weight gradient sums hundreds of products).</summary>
    private static double RelativeDiff(Tensor actual, Tensor reference) => MaxDiff(actual, reference) / Math.Max(1e-12, reference.abs().max().item<double>());

    [TestCase(1, false, false)]
    [TestCase(2, false, false)]
    [TestCase(1, true, false)]
    [TestCase(2, true, true)]
    [TestCase(1, false, true)]
    public void OutputsAndGradientsEqualTheConvolution(int stride, bool channelsLast, bool bias)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        using var layer = new PointwiseConv2d(48, 80, stride, bias);
        using (no_grad())
        {
            layer.weight!.copy_(randn(80, 48, 1, 1, generator: g).mul_(0.1));
            layer.bias?.copy_(randn(80, generator: g));
        }
        if (channelsLast) ChannelsLast.Apply(layer);
        var x = randn(3, 48, 13, 13, generator: g);
        if (channelsLast) x = ChannelsLast.Convert(x);
        x.requires_grad = true;
        var y = layer.call(x);
        Assert.That(layer.LastForwardWasMatmul, Is.True, "a gradient is needed: the matrix-product path");
        Assert.That(ChannelsLast.IsChannelsLast(y), Is.EqualTo(channelsLast), "the output keeps the input's memory format");
        var upstream = randn(y.shape, generator: g);
        y.mul(upstream).sum().backward();

        // Reference: float64 convolution (libtorch's own kernel, no oneDNN) on the same values.
        var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var w64 = layer.weight!.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var b64 = layer.bias?.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var y64 = nn.functional.conv2d(x64, w64, b64, strides: [stride, stride]);
        y64.mul(upstream.to_type(ScalarType.Float64)).sum().backward();

        Assert.That(y.shape, Is.EqualTo(y64.shape));
        Assert.That(RelativeDiff(y, y64), Is.LessThan(1e-5), "output");
        Assert.That(RelativeDiff(x.grad!, x64.grad!), Is.LessThan(1e-5), "input gradient");
        Assert.That(RelativeDiff(layer.weight!.grad!, w64.grad!), Is.LessThan(1e-5), "weight gradient");
        if (bias) Assert.That(RelativeDiff(layer.bias!.grad!, b64!.grad!), Is.LessThan(1e-5), "bias gradient");
    }

    [Test]
    public void WithoutAGradientItIsTheOrdinaryConvolution()
    {
        using var scope = NewDisposeScope();
        using var layer = new PointwiseConv2d(16, 24, 2, bias: false);
        var x = randn(2, 16, 9, 9);
        Tensor inference;
        using (no_grad()) inference = layer.call(x);
        Assert.That(layer.LastForwardWasMatmul, Is.False, "no_grad: the convolution");
        layer.weight!.requires_grad = false;
        var frozen = layer.call(x);
        Assert.That(layer.LastForwardWasMatmul, Is.False, "nothing requires a gradient: the convolution");
        layer.weight!.requires_grad = true;
        var training = layer.call(x);
        Assert.That(layer.LastForwardWasMatmul, Is.True);
        Assert.That(MaxDiff(inference, training), Is.LessThan(1e-5));
        Assert.That(MaxDiff(inference, frozen), Is.EqualTo(0));
        Assert.That(inference.shape, Is.EqualTo(new long[] { 2, 24, 5, 5 }));
    }

    [Test]
    public void UnderBf16AutocastItComputesIn16BitsLikeAConvolution()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        using var layer = new PointwiseConv2d(32, 64, 1, bias: true);
        var x = randn(2, 32, 7, 7, generator: g).requires_grad_(true);
        Tensor y, reference;
        using (Autocast.Enter(ComputePrecision.Bf16)) y = layer.call(x);
        using (no_grad()) using (Autocast.Enter(ComputePrecision.Bf16)) reference = layer.call(x.detach());
        Assert.That(layer.LastForwardWasMatmul, Is.False);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(reference.dtype, Is.EqualTo(ScalarType.BFloat16));
        // bf16 keeps 8 bits of mantissa: both round the same fp32 products, to within a few bf16 steps.
        Assert.That(MaxDiff(y, reference), Is.LessThan(0.05));
        y.to_type(ScalarType.Float32).sum().backward();
        Assert.That(layer.weight!.grad!.dtype, Is.EqualTo(ScalarType.Float32));
    }

    [Test]
    public void ItHasAConvolutionsParametersAndLoadsItsStateDict()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(8, 12, 1, stride: 2, bias: true);
        using var layer = new PointwiseConv2d(8, 12, 2, bias: true);
        var keys = ModelInspector.StateDict(layer).Select(e => (e.Key, string.Join("x", e.Shape))).ToList();
        Assert.That(keys, Is.EqualTo(ModelInspector.StateDict(conv).Select(e => (e.Key, string.Join("x", e.Shape))).ToList()));
        layer.load_state_dict(conv.state_dict());
        var x = randn(1, 8, 6, 6);
        using (no_grad()) Assert.That(MaxDiff(layer.call(x), conv.call(x)), Is.EqualTo(0));
        Assert.That(layer.in_channels, Is.EqualTo(8));
        Assert.That(layer.out_channels, Is.EqualTo(12));
        Assert.That(layer.kernel_size, Is.EqualTo(new long[] { 1, 1 }));
    }

    [Test]
    public void SizesMustBePositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PointwiseConv2d(8, 0));
}
