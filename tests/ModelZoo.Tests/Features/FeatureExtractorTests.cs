using ModelZoo.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Features;

public class FeatureExtractorTests
{
    [TestCase("resnet18", 3, 224, new long[] { 64, 64, 128, 256, 512 }, new[] { 2, 4, 8, 16, 32 })]
    [TestCase("resnet50", 3, 224, new long[] { 64, 256, 512, 1024, 2048 }, new[] { 2, 4, 8, 16, 32 })]
    [TestCase("googlenet", 3, 224, new long[] { 64, 192, 480, 832, 1024 }, new[] { 2, 4, 8, 16, 32 })]
    [TestCase("vgg11_bn", 3, 64, new long[] { 64, 128, 256, 512, 512 }, new[] { 1, 2, 4, 8, 16 })]
    [TestCase("deepcnn", 1, 28, new long[] { 16, 32, 64 }, new[] { 1, 2, 4 })]
    public void StagesHaveTheirChannelsAndStridesAndTheLastIsTheTrunk(string name, int channels, int size, long[] widths, int[] reductions)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = Zoo.Create(name);
        model.eval();
        using var extractor = new FeatureExtractor(model);
        var x = randn(2, channels, size, size);
        using (no_grad())
        {
            var maps = extractor.Forward(x);
            Assert.That(maps.Select(m => m.Map.shape[1]), Is.EqualTo(widths));
            Assert.That(maps.Select(m => m.Reduction), Is.EqualTo(reductions));
            Assert.That(maps.All(m => m.Map.shape[0] == 2));
            // ResNet and GoogLeNet end their trunk at the last stage; VGG and deepcnn max-pool it once more.
            var trunk = ((IZooModel)model).ForwardFeatures(x);
            var deepest = name is "vgg11_bn" or "deepcnn" ? nn.functional.max_pool2d(maps[^1].Map, 2, 2) : maps[^1].Map;
            Assert.That((deepest - trunk).abs().max().item<float>(), Is.Zero, "the deepest stage feeds ForwardFeatures' output");
        }
    }

    [Test]
    public void OutIndicesPickStagesAndTheHooksGoAway()
    {
        using var scope = NewDisposeScope();
        using var model = Zoo.Create("resnet18");
        model.eval();
        var x = randn(1, 3, 64, 64);
        using (no_grad())
        {
            using (var extractor = new FeatureExtractor(model, [1, -1]))
            {
                Assert.That(extractor.Nodes, Is.EqualTo(new[] { "layer1", "layer4" }));
                Assert.That(extractor.Forward(x).Select(m => m.Map.shape[1]), Is.EqualTo(new long[] { 64, 512 }));
            }
            var before = model.call(x);
            var after = model.call(x);
            Assert.That((before - after).abs().max().item<float>(), Is.Zero, "the model is unchanged after the extractor is disposed");
        }
        Assert.Throws<ArgumentException>(() => new FeatureExtractor(model, [5]));
    }
}
