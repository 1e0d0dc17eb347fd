using ModelZoo.Blocks;
using ModelZoo.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Blocks;

/// <summary>The worked example of docs/building-your-own.md: a small residual net from the blocks, trained on real MNIST digits.</summary>
[Category("Blocks")]
public class SmallResidualMnistTests
{
    // --- same code as docs/building-your-own.md ---
    public static nn.Module<Tensor, Tensor> SmallResNet(int classes = 10)
    {
        var net = nn.Sequential(
            ("stem", new ConvBnAct(1, 16, 3)),                 // 16 x 28 x 28
            ("block1", new BasicBlock(16, 16)),                // identity shortcut
            ("block2", new BasicBlock(16, 32, stride: 2)),     // 32 x 14 x 14, projection shortcut
            ("block3", new BasicBlock(32, 64, stride: 2)),     // 64 x 7 x 7
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(64, classes)));
        WeightInit.Apply(net, InitScheme.He, seed: 0);
        return net;
    }
    // --- end of example ---

    [Test]
    public void SmallResidualNetLearnsMnistDigits()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var (x, y) = SharedMnist.TrainTensors(2048);
        using var net = SmallResNet();
        net.train();
        var optimizer = torch.optim.Adam(net.parameters(), lr: 0.003);
        var losses = new List<float>();
        for (int step = 0; step < 40; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var xb = x.narrow(0, step * 32, 32);
            var yb = y.narrow(0, step * 32, 32);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(net.call(xb), yb);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        float first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        TestContext.Out.WriteLine($"loss: first 5 steps {first:F3}, last 5 steps {last:F3}");
        Assert.That(first, Is.GreaterThan(1.5f), "starts near ln 10");
        Assert.That(last, Is.LessThan(first * 0.6f), "loss drops");

        // Held-out digits (not used in training) are mostly right.
        net.eval();
        using var noGrad = torch.no_grad();
        var xt = x.narrow(0, 1536, 512);
        var yt = y.narrow(0, 1536, 512);
        double accuracy = net.call(xt).argmax(1).eq(yt).to_type(ScalarType.Float32).mean().item<float>();
        TestContext.Out.WriteLine($"held-out accuracy {accuracy:P1}");
        Assert.That(accuracy, Is.GreaterThan(0.5));

        // The guide's inspection sample, as written.
        var summary = ModelZoo.Inspection.ModelInspector.Summarize(net, [1, 28, 28], "small-resnet");
        Assert.That(summary.Layers.Select(l => l.Name), Does.Contain("stem.conv").And.Contain("stem.bn").And.Contain("block1.conv1").And.Contain("fc"));
        Assert.That(summary.Layers.Single(l => l.Name == "block3.conv2").OutputShape, Is.EqualTo(new long[] { 64, 7, 7 }));
    }

    /// <summary>
    /// The guide cannot drift from what this fixture compiles and trains: every line of its network sample is in the
    /// example region above, and its training-loop and inspection samples use the same calls as the test.
    /// </summary>
    [Test]
    public void GuideSamplesAreTheTestedCode()
    {
        string guide = File.ReadAllText(Path.Combine(ModelTestSupport.RepoRoot, "docs", "building-your-own.md"));
        var fences = Docs.DocsTests.Fences(guide).Where(f => f.Language == "csharp").ToList();
        Assert.That(fences, Has.Count.EqualTo(4), "network, training loop, inspection (and the zoo-models sample, checked by ModelGuideSampleTests)");
        string source = File.ReadAllText(Path.Combine(ModelTestSupport.RepoRoot, "tests", "ModelZoo.Tests", "Blocks", "SmallResidualMnistTests.cs"));
        int start = source.IndexOf("// --- same code as docs/building-your-own.md ---", StringComparison.Ordinal);
        int end = source.IndexOf("// --- end of example ---", StringComparison.Ordinal);
        var example = source[start..end].Split('\n').Select(l => l.Trim()).ToHashSet();
        var tested = source.Split('\n').Select(l => l.Trim()).ToHashSet();

        static bool IsCode(string l) => l.Length > 1 && !l.StartsWith("//", StringComparison.Ordinal)
            && !(l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("using var ", StringComparison.Ordinal));
        foreach (string line in fences[0].Lines.Select(l => l.Trim()).Where(IsCode))
            Assert.That(example.Contains(line), $"docs/building-your-own.md network line not in the tested example: {line}");
        foreach (string line in fences[1].Lines.Concat(fences[2].Lines).Select(l => l.Trim()).Where(IsCode))
            Assert.That(tested.Contains(line),
                $"docs/building-your-own.md sample line not exercised by this test: {line}");
    }
}
