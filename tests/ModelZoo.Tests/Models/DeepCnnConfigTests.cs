using ModelZoo.Inspection;
using ModelZoo.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

/// <summary>The deepcnn family as configuration: the book's network unchanged, <c>deepcnn_wide</c>'s layout and counts, other widths.</summary>
[Category("Models")]
public class DeepCnnConfigTests
{
    [Test]
    public void BookConfigIsTheBooksNetworkKeyForKey()
    {
        using var scope = torch.NewDisposeScope();
        using var plain = new DeepCnn(new ModelOptions { NumClasses = 10, InChannels = 1, Seed = 3 });
        using var configured = new DeepCnn(DeepCnnConfig.Book, new ModelOptions { NumClasses = 10, InChannels = 1, Seed = 3 });
        var a = plain.state_dict();
        var b = configured.state_dict();
        Assert.That(b.Keys, Is.EqualTo(a.Keys));
        foreach (var key in a.Keys) Assert.That(ModelTestSupport.Same(a[key], b[key]), Is.True, key);
        Assert.That(ModelTestSupport.ParameterCount(configured), Is.EqualTo(123_552));
        Assert.That(configured.named_children().Single(c => c.name == "classifier").module.named_children().Select(c => c.name),
            Is.EqualTo(new[] { "0", "1", "2", "3", "4" }), "the book's dropout on the logits is kept");
    }

    [Test]
    public void WideHasBatchNormAfterEveryBiaslessConvAndTheHandCountedParameters()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn_wide");
        var sd = net.state_dict();
        long[] widths = [32, 32, 64, 64, 128, 128];
        int[] convIndex = [0, 3, 7, 10, 14, 17];
        long inC = 1, convWeights = 0;
        for (int i = 0; i < 6; i++)
        {
            Assert.That(sd[$"features.{convIndex[i]}.weight"].shape, Is.EqualTo(new[] { widths[i], inC, 3, 3 }));
            Assert.That(sd.ContainsKey($"features.{convIndex[i]}.bias"), Is.False, "no conv bias before a batch norm");
            Assert.That(sd[$"features.{convIndex[i] + 1}.running_mean"].shape, Is.EqualTo(new[] { widths[i] }));
            convWeights += widths[i] * inC * 9;
            inC = widths[i];
        }
        var features = (Sequential)net.named_children().Single(c => c.name == "features").module;
        Assert.That(features.named_children().Where(c => c.module is MaxPool2d).Select(c => c.name), Is.EqualTo(new[] { "6", "13", "20" }));
        Assert.That(sd["classifier.0.weight"].shape, Is.EqualTo(new long[] { 256, 2048 }));
        Assert.That(sd["classifier.3.weight"].shape, Is.EqualTo(new long[] { 10, 256 }));
        Assert.That(sd.Keys.Any(k => k.StartsWith("classifier.4", StringComparison.Ordinal)), Is.False);
        // 285,984 conv weights + 2 x 448 BN affine + (2048 x 256 + 256) + (256 x 10 + 10) = 813,994.
        Assert.That(convWeights, Is.EqualTo(285_984));
        Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(285_984 + 896 + 524_544 + 2_570));
        Assert.That(Zoo.Card("deepcnn_wide").Parameters, Is.EqualTo(813_994));
        Assert.That(Zoo.Card("deepcnn_wide").FeatureNodes, Is.EqualTo(new[] { "features.5", "features.12", "features.19" }));
    }

    [Test]
    public void WideMacsMatchTheInspector()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn_wide");
        var summary = ModelInspector.Summarize(net, [1, 28, 28]);
        Assert.That(summary.Macs, Is.EqualTo(35_183_616));
        Assert.That(Zoo.Card("deepcnn_wide").Macs, Is.EqualTo(summary.Macs));
        Assert.That(summary.Layers.Single(l => l.Name == "features.10").OutputShape, Is.EqualTo(new long[] { 64, 16, 16 }), "the fourth conv keeps the book's padding 2");
    }

    [Test]
    public void WideStageOutputsAreTheReluBeforeEachPool()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("deepcnn_wide");
        var features = (Sequential)net.named_children().Single(c => c.name == "features").module;
        var children = features.named_children().ToDictionary(c => c.name, c => c.module);
        foreach (string node in Zoo.Card("deepcnn_wide").FeatureNodes)
        {
            string index = node["features.".Length..];
            Assert.That(children[index], Is.InstanceOf<ReLU>(), node);
            Assert.That(children[(int.Parse(index, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], Is.InstanceOf<MaxPool2d>(), node);
        }
    }

    [Test]
    public void OtherWidthsBuildAndCount()
    {
        using var scope = torch.NewDisposeScope();
        var config = new DeepCnnConfig([8, 8, 16, 16, 24, 24], BatchNorm: false, Hidden: 20, DropoutOnLogits: false);
        using var net = new DeepCnn(config, new ModelOptions { NumClasses = 5, InChannels = 3, Seed = 1 });
        // conv weights + biases: 3*8*9+8, 8*8*9+8, 8*16*9+16, 16*16*9+16, 16*24*9+24, 24*24*9+24; linear 384*20+20, 20*5+5.
        long expected = 224 + 584 + 1168 + 2320 + 3480 + 5208 + 7700 + 105;
        Assert.That(ModelTestSupport.ParameterCount(net), Is.EqualTo(expected));
        Assert.That(((IZooModel)net).NumFeatures, Is.EqualTo(24));
        net.eval();
        using var noGrad = torch.no_grad();
        Assert.That(net.call(torch.randn(2, 3, 28, 28)).shape, Is.EqualTo(new long[] { 2, 5 }));
    }

    [Test]
    public void InvalidConfigsAreRejected()
    {
        var options = new ModelOptions { NumClasses = 10, InChannels = 1 };
        Assert.Throws<ArgumentException>(() => new DeepCnn(new DeepCnnConfig([16, 16, 32, 32, 64], false, 50, true), options).Dispose());
        Assert.Throws<ArgumentException>(() => new DeepCnn(new DeepCnnConfig([16, 16, 32, 0, 64, 64], false, 50, true), options).Dispose());
        Assert.Throws<ArgumentException>(() => new DeepCnn(DeepCnnConfig.Book with { Hidden = 0 }, options).Dispose());
    }
}
