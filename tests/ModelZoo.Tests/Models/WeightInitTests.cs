using ModelZoo.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Models;

[Category("Models")]
public class WeightInitTests
{
    /// <summary>Std of the post-ReLU activations of each of five 100-unit layers fed a 1000 x 100 Gaussian batch.</summary>
    private static double[] ActivationStds(InitScheme scheme, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var layers = Enumerable.Range(0, 5).Select(i => (i.ToString(), (nn.Module<Tensor, Tensor>)nn.Linear(100, 100, hasBias: false))).ToArray();
        using var net = nn.Sequential(layers);
        WeightInit.Apply(net, scheme, seed);
        using var noGrad = torch.no_grad();
        var x = torch.randn(1000, 100, generator: new Generator(7));
        var stds = new double[5];
        for (int i = 0; i < 5; i++)
        {
            x = nn.functional.relu(((nn.Module<Tensor, Tensor>)net[i]).call(x));
            stds[i] = x.std().item<float>();
        }
        return stds;
    }

    [Test]
    public void HeInitKeepsActivationSpreadThroughFiveReluLayers()
    {
        var stds = ActivationStds(InitScheme.He, 1);
        double ratio = stds[4] / stds[0];
        TestContext.Out.WriteLine($"He: {string.Join(", ", stds.Select(s => s.ToString("g3")))}");
        Assert.That(ratio, Is.InRange(0.5, 2.0), "He keeps the spread roughly constant");
        Assert.That(stds[4], Is.GreaterThan(0.3));
    }

    [Test]
    public void SmallGaussianInitCollapsesActivationsTowardZero()
    {
        var stds = ActivationStds(InitScheme.Normal, 1);
        TestContext.Out.WriteLine($"std 0.01: {string.Join(", ", stds.Select(s => s.ToString("g3")))}");
        // Each layer scales the spread by about 0.01 * sqrt(100) * sqrt(1/2) ~ 0.07.
        Assert.That(stds[4] / stds[0], Is.LessThan(1e-3));
        for (int i = 1; i < 5; i++) Assert.That(stds[i] / stds[i - 1], Is.InRange(0.03, 0.15));
        var he = ActivationStds(InitScheme.He, 1);
        Assert.That(stds[4], Is.LessThan(he[4] * 1e-4), "collapsed compared with He");
    }

    [Test]
    public void XavierShrinksReluActivationsModerately()
    {
        // Xavier's std sqrt(2/(100+100)) = 0.1 halves the variance per ReLU layer: ~0.71x per layer.
        var stds = ActivationStds(InitScheme.Xavier, 1);
        Assert.That(stds[4] / stds[0], Is.InRange(0.1, 0.5));
    }

    [Test]
    public void SameSeedSameWeightsOtherSeedOtherWeights()
    {
        using var scope = torch.NewDisposeScope();
        using var a = nn.Linear(20, 20);
        using var b = nn.Linear(20, 20);
        using var c = nn.Linear(20, 20);
        WeightInit.Apply(a, InitScheme.He, 5);
        WeightInit.Apply(b, InitScheme.He, 5);
        WeightInit.Apply(c, InitScheme.He, 6);
        Assert.That(ModelTestSupport.Same(a.weight!, b.weight!), Is.True);
        Assert.That(ModelTestSupport.Same(a.weight!, c.weight!), Is.False);
    }

    private static IEnumerable<TestCaseData> DefaultCases()
    {
        // conv1 of resnet: kaiming_normal fan_out = 64*7*7 -> std sqrt(2/3136); vgg classifier.0 linear: N(0, 0.01);
        // googlenet conv: truncated N(0, 0.01); deepcnn first conv: He fan_in = 1*3*3 -> sqrt(2/9).
        yield return new TestCaseData("resnet18", "conv1.weight", Math.Sqrt(2.0 / (64 * 49)), 3).SetName("ResNetConvIsKaimingFanOut");
        yield return new TestCaseData("vgg11", "classifier.0.weight", 0.01, 3).SetName("VggLinearIsNormal001");
        yield return new TestCaseData("vgg11", "features.3.weight", Math.Sqrt(2.0 / (128 * 9)), 3).SetName("VggConvIsKaimingFanOut");
        yield return new TestCaseData("googlenet", "inception4a.branch2.1.conv.weight", 0.01, 3).SetName("GoogLeNetIsTruncNormal001");
        yield return new TestCaseData("deepcnn", "features.2.weight", Math.Sqrt(2.0 / (16 * 9)), 1).SetName("DeepCnnIsHe");
    }

    [TestCaseSource(nameof(DefaultCases))]
    public void DefaultSchemeFollowsTorchvisionPerFamily(string model, string key, double expectedStd, int channels)
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create(model, new ModelOptions { InChannels = channels, NumClasses = 10, Seed = 11 });
        var w = net.state_dict()[key];
        double std = w.std().item<float>();
        Assert.That(std, Is.EqualTo(expectedStd).Within(8).Percent);
        Assert.That(w.mean().item<float>(), Is.EqualTo(0).Within(expectedStd * 0.1));
    }

    [Test]
    public void BatchNormStartsAtOneAndZero()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Zoo.Create("resnet18", new ModelOptions { Init = InitScheme.Normal, Seed = 2 });
        var sd = net.state_dict();
        Assert.That(sd["layer1.0.bn1.weight"].eq(1).all().item<bool>(), Is.True);
        Assert.That(sd["layer1.0.bn1.bias"].eq(0).all().item<bool>(), Is.True);
        Assert.That(sd["layer1.0.conv1.weight"].std().item<float>(), Is.EqualTo(0.01).Within(5).Percent);
    }
}

[Category("Models")]
public class WeightInitFinitenessTests
{
    [Test]
    public void GoogLeNetDefaultInitIsFiniteForManySeeds()
    {
        // Regression: inverse-CDF truncated normal produced +-inf weights for some seeds.
        using var scope = torch.NewDisposeScope();
        for (long seed = 0; seed < 4; seed++)
        {
            using var net = Zoo.Create("googlenet", new ModelOptions { Seed = seed, Family = new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } });
            foreach (var (name, p) in net.named_parameters())
                Assert.That(torch.isfinite(p).all().item<bool>(), Is.True, $"seed {seed}: {name}");
        }
    }
}
