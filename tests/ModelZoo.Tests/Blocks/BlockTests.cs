using ModelZoo.Blocks;
using ModelZoo.Inspection;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Blocks;

[Category("Blocks")]
public class BlockTests
{
    private static long[] Shape(nn.Module<Tensor, Tensor> block, params long[] input)
    {
        block.eval();
        using var noGrad = torch.no_grad();
        return block.call(torch.randn(input)).shape;
    }

    private static string[] Keys(nn.Module block) => ModelInspector.StateDict(block).Select(e => e.Key).ToArray();

    [Test]
    public void ConvBnActKeepsSizeWithSamePaddingAndHalvesWithStride()
    {
        using var scope = torch.NewDisposeScope();
        Assert.That(Shape(new ConvBnAct(3, 8, 3), 2, 3, 28, 28), Is.EqualTo(new long[] { 2, 8, 28, 28 }));
        Assert.That(Shape(new ConvBnAct(3, 8, 7, stride: 2, padding: 3), 2, 3, 224, 224), Is.EqualTo(new long[] { 2, 8, 112, 112 }));
        Assert.That(Keys(new ConvBnAct(3, 8, 3)), Is.EqualTo(new[] { "conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked" }));
        Assert.That(Keys(new ConvBnAct(3, 8, 3, batchNorm: false)), Is.EqualTo(new[] { "conv.weight", "conv.bias" }));
    }

    [Test]
    public void ConvBnActWithoutActivationCanBeNegativeAndWithReluCannot()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 3, 8, 8, generator: new Generator(1));
        var relu = new ConvBnAct(3, 8, 3);
        var linear = new ConvBnAct(3, 8, 3, activation: false);
        relu.eval();
        linear.eval();
        Assert.That(relu.call(x).min().item<float>(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(linear.call(x).min().item<float>(), Is.LessThan(0f));
    }

    [Test]
    public void BlocksRejectNonPositiveSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvBnAct(0, 8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv3x3Stack(3, 8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BasicBlock(8, 8, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bottleneck(8, -1));
    }

    [Test]
    public void Conv3x3StackHalvesSpatialSizeAndNumbersLayersLikeSequential()
    {
        using var scope = torch.NewDisposeScope();
        Assert.That(Shape(new Conv3x3Stack(1, 16, 2), 2, 1, 28, 28), Is.EqualTo(new long[] { 2, 16, 14, 14 }));
        Assert.That(Shape(new Conv3x3Stack(1, 16, 2, pool: false), 2, 1, 28, 28), Is.EqualTo(new long[] { 2, 16, 28, 28 }));
        // conv, bn, relu, conv, bn, relu, pool: parameters at 0, 1, 3, 4.
        var keys = Keys(new Conv3x3Stack(3, 4, 2, batchNorm: true)).Where(k => k.EndsWith(".weight")).ToArray();
        Assert.That(keys, Is.EqualTo(new[] { "0.weight", "1.weight", "3.weight", "4.weight" }));
        Assert.That(Conv3x3Stack.CreateLayers(3, 4, 3).Count, Is.EqualTo(7));
    }

    [Test]
    public void InceptionConcatenatesTheFourBranches()
    {
        using var scope = torch.NewDisposeScope();
        var block = new Inception(192, 64, 96, 128, 16, 32, 32);
        Assert.That(block.OutChannels, Is.EqualTo(256));
        Assert.That(Shape(block, 2, 192, 28, 28), Is.EqualTo(new long[] { 2, 256, 28, 28 }));
        var shapes = ModelInspector.StateDict(block).ToDictionary(e => e.Key, e => e.Shape);
        Assert.That(shapes["branch3.1.conv.weight"], Is.EqualTo(new long[] { 32, 16, 3, 3 }), "torchvision's 3x3 in the 5x5 branch");
        Assert.That(shapes, Does.ContainKey("branch4.1.bn.running_var"));
        var paper = new Inception(192, 64, 96, 128, 16, 32, 32, trueFiveByFive: true);
        Assert.That(ModelInspector.StateDict(paper).Single(e => e.Key == "branch3.1.conv.weight").Shape, Is.EqualTo(new long[] { 32, 16, 5, 5 }));
        Assert.That(Shape(paper, 1, 192, 7, 7), Is.EqualTo(new long[] { 1, 256, 7, 7 }));
    }

    [Test]
    public void BasicBlockProjectsOnlyWhenTheShapeChanges()
    {
        using var scope = torch.NewDisposeScope();
        var same = new BasicBlock(64, 64);
        var down = new BasicBlock(64, 128, stride: 2);
        Assert.That(same.HasProjection, Is.False);
        Assert.That(down.HasProjection, Is.True);
        Assert.That(Shape(same, 2, 64, 14, 14), Is.EqualTo(new long[] { 2, 64, 14, 14 }));
        Assert.That(Shape(down, 2, 64, 14, 14), Is.EqualTo(new long[] { 2, 128, 7, 7 }));
        Assert.That(Keys(down), Does.Contain("downsample.0.weight").And.Contain("downsample.1.running_mean"));
        Assert.That(Keys(same).Any(k => k.StartsWith("downsample")), Is.False);
    }

    [Test]
    public void BottleneckExpandsFourTimesAndProjects()
    {
        using var scope = torch.NewDisposeScope();
        var first = new Bottleneck(64, 64);
        var inner = new Bottleneck(256, 64);
        Assert.That(first.OutChannels, Is.EqualTo(256));
        Assert.That(first.HasProjection, Is.True, "64 -> 256 channels");
        Assert.That(inner.HasProjection, Is.False);
        Assert.That(Shape(first, 2, 64, 8, 8), Is.EqualTo(new long[] { 2, 256, 8, 8 }));
        Assert.That(Shape(new Bottleneck(256, 128, stride: 2), 2, 256, 8, 8), Is.EqualTo(new long[] { 2, 512, 4, 4 }));
    }

    [Test]
    public void IdentityBlockWithZeroedResidualBranchPassesReluOfInput()
    {
        // With bn2's scale at zero the residual branch contributes nothing: out = relu(x).
        using var scope = torch.NewDisposeScope();
        var block = new BasicBlock(4, 4);
        using (torch.no_grad())
            foreach (var (name, p) in block.named_parameters())
                if (name == "bn2.weight") p.zero_();
        block.eval();
        var x = torch.randn(2, 4, 5, 5, generator: new Generator(3));
        using var noGrad = torch.no_grad();
        Assert.That(block.call(x).allclose(nn.functional.relu(x)), Is.True);
    }
}
