using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>Every registered model: shapes at MNIST and ImageNet size, gradients, seeded determinism.</summary>
[Category("Models")]
public class ZooModelTests
{
    private static readonly string[] Light = ["bnn-mnist", "binary-resnet18", "deepcnn", "deepcnn_wide", "resnet18", "resnet34", "resnet50", "googlenet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn"];
    private static readonly string[] Heavy = ["resnet101", "resnet152", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"];

    public static IEnumerable<string> AllModels => Zoo.Names;

    [Test]
    public void TestListsCoverTheRegistry() =>
        Assert.That(Light.Concat(Heavy).Order(), Is.EqualTo(Zoo.Names.Order()));

    [TestCaseSource(nameof(AllModels))]
    public void MnistSizeForwardAndBackwardGiveFiniteGradientToEveryParameter(string model)
    {
        using var scope = torch.NewDisposeScope();
        bool aux = model == "googlenet";
        using var net = Zoo.Create(model, new ModelOptions { InChannels = 1, NumClasses = 10, Seed = 3, Family = aux ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } : null });
        net.train();
        var x = torch.randn(2, 1, 28, 28, generator: new Generator(5));
        var y = torch.tensor(new long[] { 3, 7 });
        Tensor loss;
        if (net is IAuxiliaryLogits withAux)
        {
            var (logits, auxiliary) = withAux.ForwardWithAuxiliary(x);
            Assert.That(logits.shape, Is.EqualTo(new long[] { 2, 10 }));
            Assert.That(auxiliary, Has.Length.EqualTo(2));
            loss = nn.functional.cross_entropy(logits, y);
            foreach (var a in auxiliary)
            {
                Assert.That(a.shape, Is.EqualTo(new long[] { 2, 10 }));
                loss = loss + withAux.AuxiliaryLossWeight * nn.functional.cross_entropy(a, y);
            }
        }
        else
        {
            var logits = net.call(x);
            Assert.That(logits.shape, Is.EqualTo(new long[] { 2, 10 }));
            loss = nn.functional.cross_entropy(logits, y);
        }
        loss.backward();
        foreach (var (name, p) in net.named_parameters())
        {
            var g = p.grad;
            Assert.That(g, Is.Not.Null, $"{model}: {name} got no gradient");
            Assert.That(torch.isfinite(g!).all().item<bool>(), Is.True, $"{model}: {name} has a non-finite gradient");
        }
        Assert.That(net.named_parameters().Any(np => np.parameter.grad!.abs().sum().item<float>() > 0), Is.True);
    }

    [TestCaseSource(nameof(AllModels))]
    public void ImageNetSizeForward(string model)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(model, new ModelOptions { Seed = 1, InChannels = 3, NumClasses = 1000 });
        net.eval();
        using var noGrad = torch.no_grad();
        var y = net.call(torch.randn(1, 3, 224, 224));
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 1000 }));
        Assert.That(torch.isfinite(y).all().item<bool>(), Is.True);
    }

    [TestCaseSource(nameof(AllModels))]
    public void FixedSeedGivesIdenticalWeightsAndOutput(string model)
    {
        using var scope = torch.NewDisposeScope();
        var options = new ModelOptions { InChannels = 1, NumClasses = 10, Seed = 42 };
        using var a = Zoo.Create(model, options);
        using var b = Zoo.Create(model, options);
        using var c = Zoo.Create(model, options with { Seed = 43 });
        foreach (var m in new[] { a, b, c }) m.eval();
        using var noGrad = torch.no_grad();
        var x = torch.randn(2, 1, 28, 28, generator: new Generator(9));
        var ya = a.call(x);
        var yb = b.call(x);
        var yc = c.call(x);
        Assert.That(ModelTestSupport.Same(ya, yb), Is.True, "same seed, same output");
        Assert.That(ModelTestSupport.Same(ya, yc), Is.False, "another seed, another output");
        var pa = a.parameters().ToList();
        var pb = b.parameters().ToList();
        for (int i = 0; i < pa.Count; i++) Assert.That(ModelTestSupport.Same(pa[i], pb[i]), Is.True);
    }
}
