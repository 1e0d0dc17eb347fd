using ModelZoo.Blocks;
using ModelZoo.Inspection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>
/// The card's defaults, the IZooModel contract (ForwardFeatures / ForwardHead / ResetClassifier), ZeroInitResidual
/// and layer factories.
/// </summary>
[Category("Models")]
public class ZooContractTests
{
    public static IEnumerable<string> AllModels => Zoo.Names;

    private static string Shapes(nn.Module model) =>
        string.Join("\n", ModelInspector.StateDict(model).Select(e => $"{e.Key} [{string.Join(",", e.Shape)}]"));

    [TestCaseSource(nameof(AllModels))]
    public void CreateWithoutOptionsBuildsTheCardsDefaultModel(string name)
    {
        using var scope = torch.NewDisposeScope();
        var card = Zoo.Card(name);
        using var net = Zoo.Create(name);
        var sd = net.state_dict();
        Assert.Multiple(() =>
        {
            Assert.That(net, Is.InstanceOf<IZooModel>());
            Assert.That(((IZooModel)net).NumClasses, Is.EqualTo(card.DefaultClasses));
            Assert.That(sd[card.FirstConvName + ".weight"].shape[1], Is.EqualTo(card.DefaultInput.Channels), "first conv takes the card's channels");
            Assert.That(sd[card.ClassifierName + ".weight"].shape[0], Is.EqualTo(card.DefaultClasses), "classifier gives the card's classes");
            Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(card.Parameters), "card parameters are the default model's");
            Assert.That(Zoo.DefaultOptions(name).NumClasses, Is.EqualTo(card.DefaultClasses));
            Assert.That(Zoo.DefaultOptions(name).InChannels, Is.EqualTo(card.DefaultInput.Channels));
        });
    }

    [TestCase("deepcnn", 1, 10)]
    [TestCase("deepcnn_wide", 1, 10)]
    [TestCase("resnet18", 3, 1000)]
    [TestCase("googlenet", 3, 1000)]
    [TestCase("vgg11", 3, 1000)]
    public void DefaultModelRunsOnTheCardsDefaultInput(string name, int channels, int classes)
    {
        using var scope = torch.NewDisposeScope();
        var card = Zoo.Card(name);
        Assert.That((card.DefaultInput.Channels, card.DefaultClasses), Is.EqualTo((channels, classes)));
        using var net = Zoo.Create(name);
        net.eval();
        using var noGrad = torch.no_grad();
        var y = net.call(torch.randn(1, card.DefaultInput.Channels, card.DefaultInput.Height, card.DefaultInput.Width));
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, classes }));
    }

    [Test]
    public void CardsCarryPreprocessingAndLayerNames()
    {
        var deep = Zoo.Card("deepcnn");
        Assert.That(deep.Preprocessing.Mean, Is.EqualTo(new[] { 0.1307f }));
        Assert.That(deep.Preprocessing.Std, Is.EqualTo(new[] { 0.3081f }));
        Assert.That(deep.Preprocessing.ResizeSize, Is.Null);
        Assert.That(deep.Preprocessing.CropSize, Is.EqualTo(28));
        Assert.That(deep.ClassifierName, Is.EqualTo("classifier.3"));
        Assert.That(deep.Weights, Is.Empty);
        // The MNIST models (deepcnn, deepcnn_wide, bnn-mnist) have MNIST preprocessing and 10 classes; every other model is an ImageNet one.
        foreach (var name in Zoo.Names.Where(n => Zoo.Card(n).DefaultClasses != 10))
        {
            var card = Zoo.Card(name);
            Assert.That(card.Preprocessing.Mean, Is.EqualTo(new[] { 0.485f, 0.456f, 0.406f }), name);
            Assert.That(card.Preprocessing.Std, Is.EqualTo(new[] { 0.229f, 0.224f, 0.225f }), name);
            Assert.That((card.Preprocessing.ResizeSize, card.Preprocessing.CropSize, card.Preprocessing.Interpolation), Is.EqualTo(((int?)256, 224, "bilinear")), name);
            Assert.That(card.DefaultClasses, Is.EqualTo(1000), name);
            // torchvision's IMAGENET1K_V1 weights are known for the torchvision families, with the card's preprocessing (docs/weights.md).
            if (card.Family is "resnet" or "vgg" or "googlenet")
                Assert.That(card.Weights.Where(w => w.UpstreamName.EndsWith(".IMAGENET1K_V1", StringComparison.Ordinal)).Select(w => (w.Name, w.Classes, w.Preprocessing)),
                    Is.EqualTo(new[] { (name + ".tv_in1k", 1000, card.Preprocessing) }), name);
        }
        Assert.That(Zoo.Card("bnn-mnist").Preprocessing, Is.EqualTo(deep.Preprocessing));
        Assert.That(Zoo.Card("deepcnn_wide").Preprocessing, Is.EqualTo(deep.Preprocessing));
        Assert.That(Zoo.Card("deepcnn_wide").ClassifierName, Is.EqualTo("classifier.3"));
        Assert.That(Zoo.Names.Count(n => Zoo.Card(n).DefaultClasses == 10), Is.EqualTo(3), "only deepcnn, deepcnn_wide and bnn-mnist are MNIST models");
        Assert.That(Zoo.Card("resnet50").ClassifierName, Is.EqualTo("fc"));
        Assert.That(Zoo.Card("vgg16").ClassifierName, Is.EqualTo("classifier.6"));
        Assert.That(Zoo.Card("googlenet").ClassifierName, Is.EqualTo("fc"));
    }

    [Test]
    public void ExplicitOptionsStillWinOverTheCard()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn", new ModelOptions { InChannels = 3, NumClasses = 1000 });
        Assert.That(net.state_dict()["features.0.weight"].shape[1], Is.EqualTo(3));
        Assert.That(((IZooModel)net).NumClasses, Is.EqualTo(1000));
        var resolved = Zoo.ResolveOptions("resnet18", new ModelOptions { NumClasses = 7 });
        Assert.That((resolved.NumClasses, resolved.InChannels), Is.EqualTo(((int?)7, (int?)3)));
    }

    [TestCase("deepcnn", 1, 28, 64L)]
    [TestCase("deepcnn_wide", 1, 28, 128L)]
    [TestCase("resnet18", 3, 64, 512L)]
    [TestCase("resnet50", 1, 64, 2048L)]
    [TestCase("vgg11_bn", 1, 32, 512L)]
    [TestCase("googlenet", 3, 64, 1024L)]
    public void ForwardIsHeadOfFeatures(string name, int channels, int size, long features)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(name, new ModelOptions { InChannels = channels, NumClasses = 10, Seed = 4 });
        var zoo = (IZooModel)net;
        net.eval();
        using var noGrad = torch.no_grad();
        var x = torch.randn(2, channels, size, size, generator: new Generator(8));
        var map = zoo.ForwardFeatures(x);
        Assert.That(map.dim(), Is.EqualTo(4), "a feature map, before global pooling");
        Assert.That(map.shape[1], Is.EqualTo(features));
        Assert.That(zoo.NumFeatures, Is.EqualTo(features));
        var logits = net.call(x);
        Assert.That(logits.shape, Is.EqualTo(new long[] { 2, 10 }));
        Assert.That(zoo.ForwardHead(map).allclose(logits, rtol: 1e-5, atol: 1e-6), Is.True, "forward == ForwardHead(ForwardFeatures(x))");
    }

    [TestCase("deepcnn", 1, 28, false)]
    [TestCase("deepcnn_wide", 1, 28, false)]
    [TestCase("resnet18", 1, 32, false)]
    [TestCase("vgg11", 1, 32, false)]
    [TestCase("googlenet", 1, 32, true)]
    public void ResetClassifierChangesTheWidthAndKeepsTheNames(string name, int channels, int size, bool aux)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(name, new ModelOptions { InChannels = channels, NumClasses = 10, Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null, Seed = 2 });
        using var reference = Zoo.Create(name, new ModelOptions { InChannels = channels, NumClasses = 7, Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null, Seed = 2 });
        var card = Zoo.Card(name);
        var firstConv = net.state_dict()[card.FirstConvName + ".weight"].clone();
        var zoo = (IZooModel)net;

        zoo.ResetClassifier(7);

        Assert.That(zoo.NumClasses, Is.EqualTo(7));
        Assert.That(Shapes(net), Is.EqualTo(Shapes(reference)), "same state-dict keys, shapes and order as a model built for 7 classes");
        Assert.That(ModelTestSupport.Same(net.state_dict()[card.FirstConvName + ".weight"], firstConv), Is.True, "the trunk keeps its weights");
        var head = net.state_dict()[card.ClassifierName + ".weight"];
        Assert.That(head.abs().sum().item<float>(), Is.GreaterThan(0), "the new classifier is initialised");
        var x = torch.randn(2, channels, size, size);
        net.train();
        if (net is IAuxiliaryLogits withAux && withAux.HasAuxiliaryLogits)
        {
            var (logits, auxiliary) = withAux.ForwardWithAuxiliary(x);
            Assert.That(logits.shape, Is.EqualTo(new long[] { 2, 7 }));
            Assert.That(auxiliary.Select(a => a.shape[1]), Is.EqualTo(new long[] { 7, 7 }));
        }
        else
        {
            Assert.That(net.call(x).shape, Is.EqualTo(new long[] { 2, 7 }));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => zoo.ResetClassifier(0));
    }

    [TestCase("resnet18", "bn2", 8)]
    [TestCase("resnet50", "bn3", 16)]
    public void ZeroInitResidualZerosTheLastNormOfEveryBlock(string name, string lastNorm, int blocks)
    {
        using var scope = torch.NewDisposeScope();
        using var zeroed = Zoo.Create(name, new ModelOptions { InChannels = 1, NumClasses = 10, Family = new ModelZoo.Models.ResNetOptions { ZeroInitResidual = true }, Seed = 1 });
        using var plain = Zoo.Create(name, new ModelOptions { InChannels = 1, NumClasses = 10, Seed = 1 });
        var keys = zeroed.state_dict().Keys.Where(k => k.StartsWith("layer", StringComparison.Ordinal) && k.EndsWith("." + lastNorm + ".weight", StringComparison.Ordinal)).ToList();
        Assert.That(keys, Has.Count.EqualTo(blocks));
        foreach (var k in keys)
        {
            Assert.That(zeroed.state_dict()[k].abs().sum().item<float>(), Is.EqualTo(0f), k);
            Assert.That(plain.state_dict()[k].eq(1).all().item<bool>(), Is.True, k + " without the flag");
        }
        Assert.That(zeroed.state_dict()["layer1.0.bn1.weight"].eq(1).all().item<bool>(), Is.True, "only the last norm is zeroed");
        Assert.That(zeroed.state_dict()["bn1.weight"].eq(1).all().item<bool>(), Is.True);
    }

    [TestCase("deepcnn", 6, false)]
    [TestCase("deepcnn_wide", 6, false)]
    [TestCase("resnet18", 20, false)]
    [TestCase("resnet50", 53, false)]
    [TestCase("vgg11_bn", 8, false)]
    [TestCase("googlenet", 59, true)]
    public void FactoryConvIsUsedInitialisedAndCountedUnderTheSameNames(string name, int convolutions, bool aux)
    {
        using var scope = torch.NewDisposeScope();
        var options = new ModelOptions { InChannels = 1, NumClasses = 10, Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null, Seed = 6 };
        using var custom = Zoo.Create(name, options with { Layers = CustomConv.Factory });
        using var standard = Zoo.Create(name, options);

        var convs = custom.modules().OfType<CustomConv>().ToList();
        Assert.That(convs, Has.Count.EqualTo(convolutions), "every convolution comes from the factory");
        Assert.That(custom.modules().OfType<Conv2d>(), Is.Empty);
        Assert.That(standard.modules().OfType<Conv2d>().Count(), Is.EqualTo(convolutions));
        Assert.That(Shapes(custom), Is.EqualTo(Shapes(standard)), "same state-dict keys, shapes and order");

        // Initialised like the Conv2d it replaces: same seed, same draws, same weights (they were created as zeros).
        var a = custom.state_dict();
        var b = standard.state_dict();
        foreach (var key in b.Keys)
            Assert.That(ModelTestSupport.Same(a[key], b[key]), Is.True, $"{name}: {key} initialised like torchvision's layer");

        var shape = new long[] { 1, 32, 32 };
        var customSummary = ModelInspector.Summarize(custom, shape);
        var standardSummary = ModelInspector.Summarize(standard, shape);
        Assert.That(convs.Count(c => c.Calls > 0), Is.EqualTo(convolutions - (aux ? 2 : 0)), "the custom convolutions run (all but the auxiliary heads' in eval mode)");
        Assert.That(customSummary.Macs, Is.EqualTo(standardSummary.Macs), "MACs of custom convolutions are counted");
        Assert.That(customSummary.Layers.Where(l => l.Type == nameof(CustomConv)).Sum(l => l.Macs), Is.GreaterThan(0));
    }

    [Test]
    public void FactoryConvOutputEqualsTorchvisionsLayer()
    {
        using var scope = torch.NewDisposeScope();
        var options = new ModelOptions { InChannels = 1, NumClasses = 10, Seed = 6 };
        using var custom = Zoo.Create("resnet18", options with { Layers = CustomConv.Factory });
        using var standard = Zoo.Create("resnet18", options);
        custom.eval();
        standard.eval();
        using var noGrad = torch.no_grad();
        var x = torch.randn(2, 1, 32, 32, generator: new Generator(1));
        Assert.That(custom.call(x).allclose(standard.call(x), rtol: 1e-4, atol: 1e-5), Is.True);
    }

    [Test]
    public void FactoryNormAndActivationAreUsed()
    {
        using var scope = torch.NewDisposeScope();
        int activations = 0;
        var layers = LayerFactory.Default with
        {
            Norm = s => nn.GroupNorm(1, s.Channels),
            Activation = () => { activations++; return nn.SiLU(); },
        };
        using var net = Zoo.Create("resnet18", new ModelOptions { InChannels = 1, NumClasses = 10, Layers = layers });
        Assert.That(net.modules().OfType<BatchNorm2d>(), Is.Empty);
        Assert.That(net.modules().OfType<GroupNorm>().Count(), Is.EqualTo(20));
        Assert.That(net.modules().OfType<ReLU>(), Is.Empty);
        Assert.That(activations, Is.EqualTo(9), "stem + one per block");
        Assert.That(net.call(torch.randn(2, 1, 32, 32)).shape, Is.EqualTo(new long[] { 2, 10 }));
    }
}
