using ModelZoo.Inspection;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Inspection;

[Category("Inspection")]
public class ModelInspectorTests
{
    // torchvision's published GMACs at 224x224, 1000 classes; deepcnn at 28x28, 10 classes.
    [TestCase("resnet18", 3, 224, 1000, 1.81e9)]
    [TestCase("resnet50", 3, 224, 1000, 4.09e9)]
    [TestCase("vgg16", 3, 224, 1000, 15.47e9)]
    [TestCase("googlenet", 3, 224, 1000, 1.50e9)]
    [TestCase("deepcnn", 1, 28, 10, 8.77e6)]
    public void MacsAreWithinOnePercentOfPublishedFigures(string model, int channels, int size, int classes, double published)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(model, new ModelOptions { InChannels = channels, NumClasses = classes, Seed = 0 });
        var summary = ModelInspector.Summarize(net, [channels, size, size], model);
        Assert.That(summary.Macs, Is.EqualTo(published).Within(1).Percent);
        Assert.That(summary.Macs, Is.EqualTo(Zoo.Card(model).Macs), "model card agrees with the inspector");
        Assert.That(summary.Parameters, Is.EqualTo(Zoo.Card(model).Parameters));
    }

    [TestCase("resnet34")]
    [TestCase("resnet101")]
    [TestCase("resnet152")]
    [TestCase("vgg11")]
    [TestCase("vgg13")]
    [TestCase("vgg19")]
    [TestCase("vgg11_bn")]
    [TestCase("vgg16_bn")]
    [Category("Slow")]
    public void CardMacsMatchTheInspector(string model)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(model, new ModelOptions { Seed = 0 });
        Assert.That(ModelInspector.Summarize(net, [3, 224, 224]).Macs, Is.EqualTo(Zoo.Card(model).Macs));
    }

    [Test]
    public void DeepCnnMacsAreTheHandComputedSum()
    {
        // conv: Cout*Hout*Wout*Cin*9 for 1->16@28, 16->16@28, 16->32@14, 32->32@16 (pad 2), 32->64@8, 64->64@8; fc 1024*50 + 50*10.
        long expected = 16L * 28 * 28 * 1 * 9 + 16L * 28 * 28 * 16 * 9 + 32L * 14 * 14 * 16 * 9 + 32L * 16 * 16 * 32 * 9
                        + 64L * 8 * 8 * 32 * 9 + 64L * 8 * 8 * 64 * 9 + 1024 * 50 + 50 * 10;
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn", new ModelOptions { InChannels = 1, NumClasses = 10 });
        var summary = ModelInspector.Summarize(net, [1, 28, 28]);
        Assert.That(summary.Macs, Is.EqualTo(expected));
        Assert.That(summary.Layers.Where(l => l.Type == "Conv2d").Select(l => l.OutputShape[1]), Is.EqualTo(new long[] { 28, 28, 14, 16, 8, 8 }));
    }

    [Test]
    public void LayerRowsCarryPathsShapesAndParameters()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("resnet18", new ModelOptions { Seed = 0 });
        var summary = ModelInspector.Summarize(net, [3, 224, 224], "resnet18");
        Assert.That(summary.Model, Is.EqualTo("resnet18"));
        Assert.That(summary.InputShape, Is.EqualTo(new long[] { 3, 224, 224 }));
        var conv1 = summary.Layers.First(l => l.Name == "conv1");
        Assert.That(conv1.Type, Is.EqualTo("Conv2d"));
        Assert.That(conv1.OutputShape, Is.EqualTo(new long[] { 64, 112, 112 }));
        Assert.That(conv1.Parameters, Is.EqualTo(64L * 3 * 7 * 7));
        Assert.That(conv1.Macs, Is.EqualTo(64L * 112 * 112 * 3 * 49));
        Assert.That(summary.Layers.First(l => l.Name == "layer1.0.conv1").OutputShape, Is.EqualTo(new long[] { 64, 56, 56 }));
        Assert.That(summary.Layers.First(l => l.Name == "layer2.0.downsample.0").OutputShape, Is.EqualTo(new long[] { 128, 28, 28 }));
        Assert.That(summary.Layers.Last().Name, Is.EqualTo("fc"));
        Assert.That(summary.Layers.Last().OutputShape, Is.EqualTo(new long[] { 1000 }));
        Assert.That(summary.Layers.Sum(l => l.Parameters), Is.EqualTo(summary.Parameters), "every parameter counted once");
        Assert.That(summary.Layers.Where(l => l.Type is "BatchNorm2d" or "ReLU" or "MaxPool2d").All(l => l.Macs == 0), Is.True);
        // The block's one ReLU module is called twice; each call is a row, its (zero) parameters counted once.
        Assert.That(summary.Layers.Count(l => l.Name == "layer1.0.relu"), Is.EqualTo(2));
    }

    [Test]
    public void FrozenParametersAreReportedAndTrainingModeRestored()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn", new ModelOptions { InChannels = 1, NumClasses = 10 });
        foreach (var (name, p) in net.named_parameters())
            if (name.StartsWith("features.")) p.requires_grad = false;
        net.train();
        var summary = ModelInspector.Summarize(net, [1, 28, 28]);
        Assert.That(summary.Parameters, Is.EqualTo(123_552L));
        Assert.That(summary.FrozenParameters, Is.EqualTo(123_552L - (1024 * 50 + 50 + 50 * 10 + 10)));
        Assert.That(summary.TrainableParameters, Is.EqualTo(1024 * 50 + 50 + 50 * 10 + 10));
        Assert.That(net.training, Is.True);
    }

    [Test]
    public void BadInputShapesGiveArgumentException()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("vgg11", new ModelOptions { SmallInput = SmallInputPolicy.Resize, InChannels = 1, NumClasses = 10 });
        Assert.Throws<ArgumentException>(() => ModelInspector.Summarize(net, [1, 28]));
        Assert.Throws<ArgumentException>(() => ModelInspector.Summarize(net, [1, 0, 28]));
        var e = Assert.Throws<ArgumentException>(() => ModelInspector.Summarize(net, [1, 28, 28]));
        Assert.That(e!.Message, Does.Contain("32x32"));
        Assert.Throws<ArgumentException>(() => ModelInspector.Summarize(net, [3, 64, 64]), "wrong channel count");
    }

    [Test]
    public void StateDictListsKeysShapesAndTypes()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("resnet18");
        var entries = ModelInspector.StateDict(net);
        Assert.That(entries.Count, Is.EqualTo(net.state_dict().Count));
        var bn = entries.Single(e => e.Key == "layer1.0.bn1.num_batches_tracked");
        Assert.That(bn.Shape, Is.Empty);
        Assert.That(bn.DType, Is.EqualTo("int64"));
        var fc = entries.Single(e => e.Key == "fc.weight");
        Assert.That(fc.Shape, Is.EqualTo(new long[] { 1000, 512 }));
        Assert.That(fc.DType, Is.EqualTo("float32"));
    }

    [Test]
    public void SummarizeLeavesNoTensorsBehind()
    {
        using var net = Zoo.Create("resnet18", new ModelOptions { InChannels = 1, NumClasses = 10 });
        ModelInspector.Summarize(net, [1, 28, 28]); // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ModelInspector.Summarize(net, [1, 28, 28]);
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }
}
