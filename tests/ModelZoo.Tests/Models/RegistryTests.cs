using TorchSharp;

namespace ModelZoo.Tests.Models;

[Category("Models")]
public class RegistryTests
{
    [Test]
    public void EveryFamilyAndVariantIsRegistered()
    {
        string[] expected =
        [
            "binary-resnet18", "bnn-mnist", "deepcnn", "deepcnn_wide", "googlenet", "resnet101", "resnet152", "resnet18", "resnet34", "resnet50",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        ];
        Assert.That(Zoo.Names, Is.EqualTo(expected.Order(StringComparer.Ordinal)));
    }

    [TestCase("resnet", "resnet18")]
    [TestCase("vgg", "vgg16")]
    [TestCase("inception", "googlenet")]
    [TestCase("Inception-V1", "googlenet")]
    [TestCase("deep_cnn", "deepcnn")]
    [TestCase("DeepCNN", "deepcnn")]
    [TestCase("deep_cnn_wide", "deepcnn_wide")]
    [TestCase("DeepCNN-Wide", "deepcnn_wide")]
    [TestCase("VGG16-BN", "vgg16_bn")]
    public void AliasesResolve(string alias, string canonical) => Assert.That(Zoo.Resolve(alias), Is.EqualTo(canonical));

    [Test]
    public void UnknownNameThrowsTypedExceptionListingKnownModels()
    {
        var e = Assert.Throws<UnknownModelException>(() => Zoo.Create("alexnet"));
        Assert.That(e!.Name, Is.EqualTo("alexnet"));
        Assert.That(e.Message, Does.Contain("resnet50"));
    }

    [Test]
    public void InvalidOptionsThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Zoo.Create("resnet18", new ModelOptions { NumClasses = 0 }));
        Assert.Throws<ArgumentException>(() => Zoo.Create("vgg11", new ModelOptions { Dropout = 1.0 }));
        Assert.Throws<ArgumentException>(() => Zoo.Create("deepcnn", new ModelOptions { InChannels = 2 }));
    }

    [Test]
    public void CardsDescribeEveryModel()
    {
        foreach (var name in Zoo.Names)
        {
            var card = Zoo.Card(name);
            Assert.That(card.Name, Is.EqualTo(name));
            Assert.That(card.Family, Is.Not.Empty);
            Assert.That(card.Paper, Is.Not.Empty);
            Assert.That(card.ReferenceSource, Is.Not.Empty);
            // Binarised ImageNet networks publish top-1 in the 50s (Bi-Real-18 56.4 %, XNOR ResNet-18 51.2 %).
            if (card.ReferenceTop1 is null)
                Assert.That(card.ReferenceSource, Does.StartWith("none"), $"{name}: a card without a published accuracy says so");
            else
                Assert.That(card.ReferenceTop1, Is.InRange(card.Family == "binary" ? 50.0 : 60.0, 100.0));
            Assert.That(card.Parameters, Is.GreaterThan(0));
            Assert.That(card.Macs, Is.GreaterThan(card.Parameters / 2));
            Assert.That(name.StartsWith(card.Family, StringComparison.Ordinal), Is.True);
        }
        Assert.That(Zoo.Card("resnet50").ReferenceTop1, Is.EqualTo(76.130));
        Assert.That(Zoo.Card("deepcnn").DefaultInput, Is.EqualTo((1, 28, 28)));
    }

    [TestCase("deepcnn", 1, 10)]
    [TestCase("resnet18", 3, 1000)]
    [TestCase("resnet34", 3, 1000)]
    [TestCase("resnet50", 3, 1000)]
    [TestCase("googlenet", 3, 1000)]
    public void CardParameterCountMatchesTheBuiltModel(string name, int channels, int classes)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(name, new ModelOptions { InChannels = channels, NumClasses = classes });
        Assert.That(Zoo.Card(name).Parameters, Is.EqualTo(ModelTestSupport.ParameterCount(net)));
    }
}
