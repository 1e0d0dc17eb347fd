using ModelZoo.Blocks.Binary;
using ModelZoo.Inspection;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Binary;

[Category("Binary")]
public class BinaryZooTests
{
    [Test]
    public void BinaryResNet18KeepsStemShortcutsAndClassifierRealAndTorchvisionNames()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("binary-resnet18", new ModelOptions { Seed = 0 });
        using var reference = Zoo.Create("resnet18", new ModelOptions { Seed = 0 });
        Assert.That(ModelInspector.StateDict(net).Select(e => e.Key), Is.EqualTo(ModelInspector.StateDict(reference).Select(e => e.Key)));
        var binary = BinaryLayers.Find(net).Select(b => b.Name).ToList();
        Assert.That(binary, Has.Count.EqualTo(16), "two 3x3 convs in each of the eight basic blocks");
        Assert.That(binary, Does.Contain("layer1.0.conv1").And.Contain("layer4.1.conv2"));
        Assert.That(binary.Any(n => n.StartsWith("conv1", StringComparison.Ordinal) || n.Contains("downsample", StringComparison.Ordinal) || n == "fc"), Is.False);
        Assert.That(BinaryLayers.Find(net).All(b => b.Layer.Binary.Scaling && b.Layer.Binary.InputGradient == BinaryGradient.ApproxSign));
    }

    [Test]
    public void BnnMnistBinarisesEverythingButTheFirstConvAndTheClassifier()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("bnn-mnist");
        Assert.That(BinaryLayers.Find(net).Select(b => b.Name), Is.EqualTo(new[] { "features.2", "features.5", "features.7", "classifier.0" }));
        Assert.That(Zoo.Card("bnn").Name, Is.EqualTo("bnn-mnist"));
    }

    [Test]
    public void InspectorCountsBitWidthsMemoryBinaryMacsAndCompression()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("bnn-mnist");
        var s = ModelInspector.Summarize(net, [1, 28, 28]);
        long binaryParams = 9216 + 18432 + 36864 + 802816;
        Assert.That(s.BinaryParameters, Is.EqualTo(binaryParams));
        Assert.That(s.RealParameters, Is.EqualTo(s.Parameters - binaryParams));
        Assert.That(s.MemoryBits, Is.EqualTo(binaryParams + 32 * (s.Parameters - binaryParams)));
        Assert.That(s.BinaryMacs, Is.EqualTo(s.Layers.Where(l => l.Type.StartsWith("Binary", StringComparison.Ordinal)).Sum(l => l.Macs)));
        Assert.That(s.RealMacs, Is.EqualTo(28 * 28 * 32 * 9 + 256 * 10));
        Assert.That(s.CompressionRatio, Is.EqualTo(s.Parameters * 4.0 / ((s.MemoryBits + 7) / 8)).Within(1e-12));
        Assert.That(s.CompressionRatio, Is.GreaterThan(20));
        var conv = s.Layers.Single(l => l.Name == "features.2");
        Assert.That((conv.BinaryParameters, conv.MemoryBits, conv.BinaryMacs), Is.EqualTo((9216L, 9216L, conv.Macs)));
        using var real = Zoo.Create("deepcnn");
        var r = ModelInspector.Summarize(real, [1, 28, 28]);
        Assert.That((r.BinaryParameters, r.BinaryMacs, r.CompressionRatio), Is.EqualTo((0L, 0L, 1.0)));
    }

    [Test]
    public void BinaryFamiliesHaveTheirOwnRecipes()
    {
        var bnn = TrainingDefaults.For("bnn-mnist", "mnist-sample").Options;
        Assert.That((bnn.Optimizer, bnn.LearningRate, bnn.BatchSize, bnn.Epochs, bnn.Schedule), Is.EqualTo((OptimizerKind.Adam, 5e-3, 100, 10, ScheduleKind.Cosine)));
        var resnet = TrainingDefaults.For("binary-resnet18", "folder").Options;
        Assert.That((resnet.Optimizer, resnet.LearningRate, resnet.WeightDecay), Is.EqualTo((OptimizerKind.Adam, 2e-3, 0.0)));
    }
}
