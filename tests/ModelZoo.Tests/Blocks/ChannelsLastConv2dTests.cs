using ModelZoo.Blocks;
using ModelZoo.Inspection;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Blocks;

/// <summary>
/// <see cref="ChannelsLastConv2d"/> is the convolution it replaces, whatever its input's layout: outputs and gradients
/// within 1e-5 (relative) of a float64 convolution, including GoogLeNet's 24-channel 3x3 shape, which oneDNN gets wrong
/// in NCHW on CPUs that hide their cache sizes; channels-last output; a Conv2d's state dict.
/// </summary>
[Category("Blocks")]
public class ChannelsLastConv2dTests
{
    private static double Relative(Tensor actual, Tensor reference) =>
        actual.to_type(ScalarType.Float64).sub(reference).abs().max().item<double>() / Math.Max(1e-12, reference.abs().max().item<double>());

    [TestCase(24, 64, 3, 1, 1, 14, false)]
    [TestCase(24, 64, 3, 1, 1, 14, true)]
    [TestCase(3, 16, 7, 2, 3, 32, false)]
    [TestCase(64, 64, 3, 2, 1, 15, false)]
    public void OutputsAndGradientsEqualAFloat64Convolution(int inChannels, int outChannels, int kernel, int stride, int padding, int size, bool channelsLastInput)
    {
        torch.set_num_threads(2);
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        using var layer = new ChannelsLastConv2d(inChannels, outChannels, kernel, stride, padding, bias: true);
        var x = randn([8, inChannels, size, size], generator: g);
        if (channelsLastInput) x = ChannelsLast.Convert(x);
        x.requires_grad = true;
        var y = layer.call(x);
        Assert.That(ChannelsLast.IsChannelsLast(y), Is.True);
        var upstream = randn(y.shape, generator: g);
        y.mul(upstream).sum().backward();

        var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var w64 = layer.weight!.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var b64 = layer.bias!.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var y64 = nn.functional.conv2d(x64, w64, b64, strides: [stride, stride], padding: [padding, padding]);
        y64.mul(upstream.to_type(ScalarType.Float64)).sum().backward();

        Assert.That(Relative(y, y64), Is.LessThan(1e-5), "output");
        Assert.That(Relative(x.grad!, x64.grad!), Is.LessThan(1e-5), "input gradient");
        Assert.That(Relative(layer.weight!.grad!, w64.grad!), Is.LessThan(1e-5), "weight gradient");
        Assert.That(Relative(layer.bias!.grad!, b64.grad!), Is.LessThan(1e-5), "bias gradient");
    }

    [Test]
    public void ItHasAConvolutionsParameters()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(8, 12, 3, stride: 2, padding: 1, bias: false);
        using var layer = new ChannelsLastConv2d(8, 12, 3, 2, 1, bias: false);
        Assert.That(ModelInspector.StateDict(layer).Select(e => (e.Key, string.Join("x", e.Shape))),
            Is.EqualTo(ModelInspector.StateDict(conv).Select(e => (e.Key, string.Join("x", e.Shape)))));
        Assert.That(layer.kernel_size, Is.EqualTo(conv.kernel_size));
        Assert.That(layer.stride, Is.EqualTo(conv.stride));
        Assert.That(layer.padding, Is.EqualTo(conv.padding));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelsLastConv2d(8, 12, 3, padding: -1));
    }
}
