using ModelZoo.Training.Experiments;
using TorchSharp;

namespace ModelZoo.Tests.Experiments;

/// <summary>The seed's activation-histogram figure: what std 0.01, Xavier and He do to a 5-layer MLP's activations.</summary>
[RestoresTorchThreads]
public class ActivationProbeTests
{
    private static double LastStd(string activation, InitScheme init) => ActivationProbe.Mlp(activation, init).Single(h => h.Layer == 5).Std;

    [Test]
    public void StdPointZeroOneCollapsesTheActivationsAndXavierAndHeKeepThemSpread()
    {
        Assert.That(LastStd("tanh", InitScheme.Normal), Is.LessThan(0.01), "std 0.01: tanh outputs shrink towards 0 layer by layer");
        Assert.That(LastStd("tanh", InitScheme.Xavier), Is.GreaterThan(0.2), "Xavier keeps tanh spread");
        Assert.That(LastStd("sigmoid", InitScheme.Normal), Is.LessThan(0.02), "std 0.01: every sigmoid output is about 0.5");
        Assert.That(LastStd("sigmoid", InitScheme.Xavier), Is.GreaterThan(0.1));
        Assert.That(LastStd("relu", InitScheme.Normal), Is.LessThan(1e-4), "std 0.01: ReLU outputs vanish");
        Assert.That(LastStd("relu", InitScheme.He), Is.GreaterThan(2 * LastStd("relu", InitScheme.Xavier)), "He keeps ReLU wider than Xavier does");
        var all = ActivationProbe.Activations.SelectMany(a => new[] { InitScheme.Normal, InitScheme.Xavier, InitScheme.He }.SelectMany(i => ActivationProbe.Mlp(a, i))).ToList();
        var verdict = ExperimentCatalog.JudgeActivations(all);
        Assert.That(verdict.Agrees, Is.True, verdict.Finding);
    }

    [Test]
    public void HistogramsCountTheActivationsInTheSeedsRanges()
    {
        var tanh = ActivationProbe.Mlp("tanh", InitScheme.Xavier);
        Assert.That(tanh, Has.Count.EqualTo(5));
        Assert.That(tanh.Select(h => (h.Low, h.High)), Is.All.EqualTo((-1.0, 1.0)));
        Assert.That(tanh.Select(h => h.Counts.Sum()), Is.All.EqualTo(100_000L), "1000 inputs x 100 units, all inside (-1, 1)");
        var relu = ActivationProbe.Mlp("relu", InitScheme.He);
        Assert.That(relu[0].ZeroFraction, Is.InRange(0.4, 0.6), "about half of the ReLU units are off");
        Assert.That(relu[0].Counts.Sum(), Is.LessThan(100_000L * (1 - relu[0].ZeroFraction) + 1), "exact zeros are left out of the bins");
    }

    [Test]
    public void ModelProbeHooksEveryReluOfDeepCnn()
    {
        using var model = Zoo.Create("deepcnn", new ModelOptions { Init = InitScheme.He, Seed = 1 });
        using var x = torch.randn(8, 1, 28, 28);
        var histograms = ActivationProbe.Model(model, x, "deepcnn", InitScheme.He);
        Assert.That(histograms.Select(h => h.LayerName), Is.EqualTo(new[] { "features.1", "features.3", "features.6", "features.8", "features.11", "features.13", "classifier.1" }));
        using var small = Zoo.Create("deepcnn", new ModelOptions { Init = InitScheme.Normal, Seed = 1 });
        var collapsed = ActivationProbe.Model(small, x, "deepcnn", InitScheme.Normal);
        Assert.That(collapsed[^1].Std, Is.LessThan(histograms[^1].Std / 100), "std 0.01 shrinks the deep CNN's activations too");
        Assert.That(model.training, Is.True, "the model is left in training mode");
    }
}
