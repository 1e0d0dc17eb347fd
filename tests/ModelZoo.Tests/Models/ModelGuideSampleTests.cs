using ModelZoo.Blocks;
using TorchSharp;
using static TorchSharp.torch;
using MyConv = ModelZoo.Tests.Models.CustomConv;

namespace ModelZoo.Tests.Models;

/// <summary>The "Zoo models" sample of docs/building-your-own.md, line for line.</summary>
[Category("Models")]
public class ModelGuideSampleTests
{
    [Test]
    public void GuideSampleRuns()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        // --- same code as docs/building-your-own.md (zoo models) ---
        var card = Zoo.Card("resnet18");                       // 3x224x224, 1000 classes, ImageNet mean/std
        using var model = Zoo.Create("resnet18");              // no options: the card's default model
        var zoo = (IZooModel)model;
        var x = torch.randn(1, card.DefaultInput.Channels, card.DefaultInput.Height, card.DefaultInput.Width);
        var features = zoo.ForwardFeatures(x);                 // 1 x 512 x 7 x 7, before global pooling
        var logits = zoo.ForwardHead(features);                // 1 x 1000, the same as model.call(x)
        zoo.ResetClassifier(10);                               // a fresh fc with 10 outputs, still named fc

        var layers = LayerFactory.Default with { Conv = spec => new MyConv(spec) };
        using var custom = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, Layers = layers });
        // --- end of example ---

        Assert.That(features.shape, Is.EqualTo(new long[] { 1, 512, 7, 7 }));
        Assert.That(logits.shape, Is.EqualTo(new long[] { 1, 1000 }));
        Assert.That(model.state_dict()["fc.weight"].shape, Is.EqualTo(new long[] { 10, 512 }));
        Assert.That(custom.modules().OfType<MyConv>().Count(), Is.EqualTo(20));
        Assert.That(custom.state_dict()["fc.weight"].shape, Is.EqualTo(new long[] { 10, 512 }));
    }

    [Test]
    public void GuideSampleIsTheTestedCode()
    {
        string guide = File.ReadAllText(Path.Combine(ModelTestSupport.RepoRoot, "docs", "building-your-own.md"));
        var fences = Docs.DocsTests.Fences(guide).Where(f => f.Language == "csharp").ToList();
        Assert.That(fences, Has.Count.EqualTo(4), "network, training loop, inspection, zoo models");
        string source = File.ReadAllText(Path.Combine(ModelTestSupport.RepoRoot, "tests", "ModelZoo.Tests", "Models", "ModelGuideSampleTests.cs"));
        int start = source.IndexOf("// --- same code as docs/building-your-own.md (zoo models) ---", StringComparison.Ordinal);
        int end = source.IndexOf("// --- end of example ---", start, StringComparison.Ordinal);
        var example = source[start..end].Split('\n').Select(l => l.Trim()).ToList();
        var sample = fences[3].Lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.That(sample, Is.EqualTo(example.Skip(1).Where(l => l.Length > 0).ToList()), "docs sample and tested code are the same lines");
    }
}
