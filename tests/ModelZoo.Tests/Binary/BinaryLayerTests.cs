using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Binary;

[Category("Binary")]
public class BinaryLayerTests
{
    private static readonly float[] Points = [-2.5f, -1.0f, -0.75f, -0.25f, 0.0f, 0.5f, 1.0f, 1.5f];

    [Test]
    public void SignOfZeroIsPlusOneAndValuesAreExactlyPlusMinusOne()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Points).requires_grad_(true);
        var y = BinarySign.Binarize(x).detach().data<float>().ToArray();
        Assert.That(y, Is.EqualTo(new[] { -1f, -1f, -1f, -1f, 1f, 1f, 1f, 1f }));
        Assert.That(BinarySign.Sign(torch.zeros(3)).data<float>().ToArray(), Is.EqualTo(new[] { 1f, 1f, 1f }));
    }

    [Test]
    public void SteGradientIsOneInsideTheClipRangeAndZeroOutside()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Points).requires_grad_(true);
        var upstream = torch.tensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f });
        BinarySign.Binarize(x, BinaryGradient.SteSign).mul(upstream).sum().backward();
        // |x| <= 1 passes the upstream gradient (boundaries included, as hardtanh/clamp), |x| > 1 blocks it.
        Assert.That(x.grad!.data<float>().ToArray(), Is.EqualTo(new[] { 0f, 2f, 3f, 4f, 5f, 6f, 7f, 0f }));
    }

    [Test]
    public void ApproxSignGradientIsTwoMinusTwiceAbsInside()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Points).requires_grad_(true);
        BinarySign.Binarize(x, BinaryGradient.ApproxSign).sum().backward();
        var expected = Points.Select(p => Math.Abs(p) <= 1 ? 2 - 2 * Math.Abs(p) : 0f).ToArray();
        Assert.That(x.grad!.data<float>().ToArray(), Is.EqualTo(expected).Within(1e-6f));
        Assert.That(expected[2], Is.EqualTo(0.5f), "2 - 2 * 0.75");
    }

    [Test]
    public void LinearForwardEqualsFloatReferenceWithPlusMinusOneWeightsAndGradientsAreSte()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryLinear(new LinearSpec(5, 3), new BinaryLayerOptions { ClipLatentInForward = false });
        using (torch.no_grad())
        {
            layer.Weight.copy_(torch.tensor(new[] { 0.3f, -0.2f, 0f, 0.9f, -1.5f, -0.1f, 0.4f, 0.7f, -0.6f, 0.05f, 1.2f, -0.3f, 0.2f, 0.1f, -0.8f }, [3, 5]));
            layer.Bias!.copy_(torch.tensor(new[] { 0.5f, -0.25f, 0f }));
        }
        var x = torch.tensor(new[] { 0.2f, -0.7f, 1.3f, -0.1f, 0f, -2f, 0.6f, 0.9f, -0.5f, 0.4f }, [2, 5]).requires_grad_(true);
        var y = layer.call(x);
        var wPm = torch.tensor(new[] { 1f, -1f, 1f, 1f, -1f, -1f, 1f, 1f, -1f, 1f, 1f, -1f, 1f, 1f, -1f }, [3, 5]);
        var xPm = torch.tensor(new[] { 1f, -1f, 1f, -1f, 1f, -1f, 1f, 1f, -1f, 1f }, [2, 5]);
        var reference = xPm.matmul(wPm.t()).add(layer.Bias!.detach());
        Assert.That(y.detach().data<float>().ToArray(), Is.EqualTo(reference.data<float>().ToArray()));

        y.sum().backward();
        // dL/dW = (dL/dy)^T sign(x), masked where |W| > 1; dL/dx = dL/dy sign(W), masked where |x| > 1.
        var gw = torch.ones(2, 3).t().matmul(xPm).mul(layer.Weight.detach().abs().le(1).to(ScalarType.Float32));
        var gx = torch.ones(2, 3).matmul(wPm).mul(x.detach().abs().le(1).to(ScalarType.Float32));
        Assert.That(layer.Weight.grad!.data<float>().ToArray(), Is.EqualTo(gw.data<float>().ToArray()));
        Assert.That(x.grad!.data<float>().ToArray(), Is.EqualTo(gx.data<float>().ToArray()));
        Assert.That(layer.Weight.grad!.data<float>()[4], Is.EqualTo(0f), "the latent weight -1.5 is outside the clip range");
    }

    [Test]
    public void ConvForwardEqualsFloatConvWithPlusMinusOneWeights()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryConv2d(new ConvSpec(3, 4, 3, 1, 1, Bias: false));
        using (torch.no_grad()) layer.Weight.copy_(torch.randn(4, 3, 3, 3, generator: new Generator(1)).mul(0.3));
        var x = torch.randn(2, 3, 6, 6, generator: new Generator(2));
        var y = layer.call(x);
        var reference = nn.functional.conv2d(BinarySign.Sign(x), BinarySign.Sign(layer.Weight.detach()), padding: [1, 1]);
        Assert.That(y.detach().data<float>().ToArray(), Is.EqualTo(reference.data<float>().ToArray()));
        Assert.That(torch.unique(BinarySign.Sign(layer.Weight)).output.data<float>().ToArray(), Is.EqualTo(new[] { -1f, 1f }));
        Assert.That(layer.named_parameters().Select(p => p.name), Is.EqualTo(new[] { "weight" }));
    }

    [Test]
    public void AlphaScalingMultipliesEachOutputChannelByMeanAbsoluteLatentWeight()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryLinear(new LinearSpec(4, 2, Bias: false), new BinaryLayerOptions { Scaling = true });
        using (torch.no_grad()) layer.Weight.copy_(torch.tensor(new[] { 0.5f, -0.5f, 0.25f, 0.75f, -0.1f, 0.2f, -0.3f, 0.4f }, [2, 4]));
        var y = layer.call(torch.tensor(new[] { 1f, 1f, 1f, 1f }, [1, 4])).data<float>().ToArray();
        // channel 0: signs + - + +, sum 2, alpha 0.5 -> 1.0; channel 1: signs - + - +, sum 0 -> 0.
        Assert.That(layer.CurrentScale()!.data<float>().ToArray(), Is.EqualTo(new[] { 0.5f, 0.25f }).Within(1e-7f));
        Assert.That(y, Is.EqualTo(new[] { 1.0f, 0f }).Within(1e-6f));
        var conv = new BinaryConv2d(new ConvSpec(1, 2, 1, Bias: false), new BinaryLayerOptions { Scaling = true, BinarizeInput = false });
        using (torch.no_grad()) conv.Weight.copy_(torch.tensor(new[] { -0.4f, 0.8f }, [2, 1, 1, 1]));
        Assert.That(conv.call(torch.full(1, 1, 1, 1, 3f)).data<float>().ToArray(), Is.EqualTo(new[] { -1.2f, 2.4f }).Within(1e-6f));
    }

    [Test]
    public void ClipLatentWeightsClampsOnlyBinaryLayers()
    {
        using var scope = torch.NewDisposeScope();
        var binary = new BinaryLinear(new LinearSpec(3, 2));
        var real = nn.Linear(3, 2);
        var model = nn.Sequential(("0", binary), ("1", real));
        using (torch.no_grad())
        {
            binary.Weight.copy_(torch.tensor(new[] { -3f, -1f, 0.5f, 1f, 2f, 0f }, [2, 3]));
            binary.Bias!.fill_(5f);
            real.weight!.fill_(4f);
        }
        Assert.That(BinaryLayers.ClipLatentWeights(model), Is.EqualTo(1));
        Assert.That(binary.Weight.data<float>().ToArray(), Is.EqualTo(new[] { -1f, -1f, 0.5f, 1f, 1f, 0f }));
        Assert.That(binary.Bias!.data<float>().ToArray(), Is.EqualTo(new[] { 5f, 5f }), "biases are real-valued and not clipped");
        Assert.That(real.weight!.data<float>().ToArray(), Is.All.EqualTo(4f));
        Assert.That(binary.Weight.requires_grad, Is.True);
    }

    [Test]
    public void TrainingForwardClipsLatentWeightsUnlessTurnedOff()
    {
        using var scope = torch.NewDisposeScope();
        var clipping = new BinaryLinear(new LinearSpec(2, 1, Bias: false));
        var keeping = new BinaryLinear(new LinearSpec(2, 1, Bias: false), new BinaryLayerOptions { ClipLatentInForward = false });
        foreach (var layer in new[] { clipping, keeping })
        {
            using (torch.no_grad()) layer.Weight.copy_(torch.tensor(new[] { 2f, -0.5f }, [1, 2]));
            layer.train();
            layer.call(torch.ones(1, 2));
        }
        Assert.That(clipping.Weight.data<float>().ToArray(), Is.EqualTo(new[] { 1f, -0.5f }));
        Assert.That(keeping.Weight.data<float>().ToArray(), Is.EqualTo(new[] { 2f, -0.5f }));
        clipping.eval();
        using (torch.no_grad()) clipping.Weight.fill_(3f);
        clipping.call(torch.ones(1, 2));
        Assert.That(clipping.Weight.data<float>().ToArray(), Is.All.EqualTo(3f), "eval mode leaves the weights alone");
    }

    [Test]
    public void WeightsOnlyBinarizationKeepsRealInputs()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryLinear(new LinearSpec(2, 1, Bias: false), new BinaryLayerOptions { BinarizeInput = false });
        using (torch.no_grad()) layer.Weight.copy_(torch.tensor(new[] { 0.1f, -0.2f }, [1, 2]));
        Assert.That(layer.call(torch.tensor(new[] { 0.5f, 3f }, [1, 2])).item<float>(), Is.EqualTo(-2.5f));
    }
}
