using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Binary;

[Category("Binary")]
public class XnorLinearTests
{
    [TestCase(100, 7, true, true)]
    [TestCase(64, 3, false, false)]
    [TestCase(3136, 256, false, false)]
    [TestCase(1, 1, true, false)]
    public void PopcountPathEqualsFloatPathBitForBit(int inFeatures, int outFeatures, bool scaling, bool bias)
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryLinear(new LinearSpec(inFeatures, outFeatures, bias), new BinaryLayerOptions { Scaling = scaling });
        using (torch.no_grad())
        {
            layer.Weight.copy_(torch.rand(outFeatures, inFeatures, generator: new Generator(1)).mul(2).sub(1));
            layer.Bias?.copy_(torch.randn(outFeatures, generator: new Generator(2)));
        }
        layer.eval();
        var x = BinarySign.Sign(torch.randn(5, inFeatures, generator: new Generator(3)));
        Tensor expected;
        using (torch.no_grad()) expected = layer.call(x);
        var xnor = new XnorLinear(layer);
        var actual = xnor.Forward(x);
        Assert.That(actual.data<float>().ToArray(), Is.EqualTo(expected.data<float>().ToArray()));
        Assert.That(xnor.PackedBytes, Is.EqualTo(outFeatures * ((inFeatures + 63) / 64) * 8L));

        var one = new float[outFeatures];
        xnor.Forward(x[0].data<float>().ToArray(), one);
        Assert.That(one, Is.EqualTo(expected[0].data<float>().ToArray()), "batch 1");
    }

    [Test]
    public void RealInputsAreBinarisedLikeTheLayerDoesAndWeightsOnlyLayersAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new BinaryLinear(new LinearSpec(70, 4));
        using (torch.no_grad()) layer.Weight.copy_(torch.randn(4, 70, generator: new Generator(4)).mul(0.3));
        layer.eval();
        var x = torch.randn(2, 70, generator: new Generator(5));
        x[0, 3] = torch.tensor(0f);
        Tensor expected;
        using (torch.no_grad()) expected = layer.call(x);
        Assert.That(new XnorLinear(layer).Forward(x).data<float>().ToArray(), Is.EqualTo(expected.data<float>().ToArray()));
        Assert.Throws<ArgumentException>(() => new XnorLinear(new BinaryLinear(new LinearSpec(4, 2), new BinaryLayerOptions { BinarizeInput = false })));
    }
}
