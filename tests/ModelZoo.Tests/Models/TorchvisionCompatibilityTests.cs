using ModelZoo.Inspection;
using TorchSharp;

namespace ModelZoo.Tests.Models;

[Category("Models")]
public class TorchvisionCompatibilityTests
{
    [TestCase("resnet18", false)]
    [TestCase("resnet34", false)]
    [TestCase("resnet50", false)]
    [TestCase("resnet101", false)]
    [TestCase("resnet152", false)]
    [TestCase("vgg11", false)]
    [TestCase("vgg13", false)]
    [TestCase("vgg16", false)]
    [TestCase("vgg19", false)]
    [TestCase("vgg11_bn", false)]
    [TestCase("vgg13_bn", false)]
    [TestCase("vgg16_bn", false)]
    [TestCase("vgg19_bn", false)]
    [TestCase("googlenet", false)]
    [TestCase("googlenet", true)]
    public void StateDictKeysAndShapesEqualTorchvision(string model, bool aux)
    {
        using var scope = torch.NewDisposeScope();
        var expected = ModelTestSupport.TorchvisionFixture(aux ? model + "_aux" : model);
        using var net = Zoo.Create(model, new ModelOptions { Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null, Seed = 1 });
        var actual = ModelInspector.StateDict(net);

        var expectedLines = expected.Select(e => $"{e.Key} [{string.Join(",", e.Shape)}]").ToList();
        var actualLines = actual.Select(e => $"{e.Key} [{string.Join(",", e.Shape)}]").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(actualLines.Except(expectedLines), Is.Empty, "entries torchvision does not have");
            Assert.That(expectedLines.Except(actualLines), Is.Empty, "torchvision entries we lack");
            Assert.That(actualLines, Is.EqualTo(expectedLines), "same entries in torchvision's order");
        });
        Assert.That(actual.Where(e => e.Key.EndsWith("num_batches_tracked")).Select(e => e.DType).Distinct(), Is.EqualTo(model.StartsWith("vgg") && !model.EndsWith("_bn") ? Array.Empty<string>() : new[] { "int64" }));
    }

    [TestCase("resnet18", 11_689_512L)]
    [TestCase("resnet34", 21_797_672L)]
    [TestCase("resnet50", 25_557_032L)]
    [TestCase("resnet101", 44_549_160L)]
    [TestCase("resnet152", 60_192_808L)]
    [TestCase("vgg16", 138_357_544L)]
    [TestCase("vgg16_bn", 138_365_992L)]
    [TestCase("googlenet", 6_624_904L)]
    public void ParameterCountAtImageNetSettings(string model, long expected)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(model);
        Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(expected));
        Assert.That(Zoo.Card(model).Parameters, Is.EqualTo(expected), "model card");
    }

    [Test]
    public void GoogLeNetWithAuxiliaryHeadsHas13004888Parameters()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("googlenet", new ModelOptions { Family = new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } });
        Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(13_004_888L));
    }

    [Test]
    public void DeepCnnHas123552ParametersForMnist()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn", new ModelOptions { InChannels = 1, NumClasses = 10 });
        Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(123_552L));
        Assert.That(Zoo.Card("deepcnn").Parameters, Is.EqualTo(123_552L));
    }
}
