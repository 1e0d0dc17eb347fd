using ModelZoo.Inference;
using ModelZoo.Onnx;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static ModelZoo.Tests.Onnx.OnnxRuntimeSupport;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Inference;

/// <summary>
/// Batch-norm folding on every zoo family in eval mode, with running statistics and affine parameters set to
/// non-trivial values: the folded model computes the unfolded one's logits (float32 to 1e-5 of the logits' scale,
/// float64 to 1e-10), holds no batch norm it could fold, and exports to a graph without BatchNormalization nodes.
/// </summary>
[RestoresTorchThreads]
[NonParallelizable]
public class BatchNormFoldingTests
{
    /// <summary>One model per block kind: the deeper variants repeat the same blocks (ResNet-101/152 are more bottlenecks, VGG-13/16/19 more stages).</summary>
    private static readonly string[] Covered = ["deepcnn", "deepcnn_wide", "vgg11", "vgg16_bn", "googlenet", "resnet18", "resnet50"];

    public static IEnumerable<TestCaseData> Models()
    {
        foreach (string name in Covered)
        {
            var card = Zoo.Card(name);
            int size = card.DefaultInput.Height <= 32 ? card.DefaultInput.Height : 64;
            yield return new TestCaseData(name, size).SetName($"FoldedEqualsUnfolded({name}, {size}x{size})");
        }
    }

    [Test]
    public void EveryRealValuedFamilyIsCovered() =>
        Assert.That(Covered.Select(n => Zoo.Card(n).Family).Distinct(),
            Is.EquivalentTo(Zoo.Names.Select(n => Zoo.Card(n).Family).Where(f => f is not ("bnn" or "binary")).Distinct()));

    [TestCaseSource(nameof(Models))]
    public void FoldedEqualsUnfolded(string name, int size)
    {
        torch.set_num_threads(2);
        using var scope = NewDisposeScope();
        var model = Zoo.Create(name, new ModelOptions { Seed = 3 });
        long channels = Zoo.Card(name).DefaultInput.Channels;
        int norms = RandomiseBatchNorms(model, channels, size, seed: 17);
        model.eval();
        using var generator = new Generator(9);
        var x = torch.randn([3, channels, size, size], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        int convsWithoutBias = model.modules().OfType<Conv2d>().Count(c => c.bias is null);

        var result = BatchNormFolding.Fold(model);

        Assert.That(result.Folded, Has.Count.EqualTo(norms), "every batch norm of a zoo model follows a convolution");
        Assert.That(result.Kept, Is.Empty);
        Assert.That(model.modules().OfType<BatchNorm2d>(), Is.Empty, "the norms are gone from the module tree");
        Assert.That(model.state_dict().Keys.Where(k => k.Contains("running_mean", StringComparison.Ordinal)), Is.Empty);
        Assert.That(model.modules().OfType<Conv2d>().Count(c => c.bias is null), Is.EqualTo(norms == 0 ? convsWithoutBias : 0),
            "each folded convolution got a bias");
        Tensor actual;
        using (torch.no_grad()) actual = model.call(x);
        double diff = (actual - expected).abs().max().item<float>();
        double scale = Math.Max(1.0, expected.abs().max().item<float>());
        TestContext.Out.WriteLine($"{name}: {result.Folded.Count} norms folded, max |diff| {diff:E2} (max |logit| {scale:G4})");
        Assert.That(diff, Is.LessThanOrEqualTo(1e-5 * scale));
    }

    [TestCase("resnet50")]
    [TestCase("googlenet")]
    [TestCase("vgg11_bn")]
    public void InFloat64TheFoldIsExact(string name)
    {
        using var scope = NewDisposeScope();
        var model = Zoo.Create(name, new ModelOptions { Seed = 4 });
        RandomiseBatchNorms(model, 3, 64, seed: 5);
        model.to(ScalarType.Float64);
        model.eval();
        using var generator = new Generator(2);
        var x = torch.randn([2, 3, 64, 64], generator: generator).to(ScalarType.Float64);
        Tensor expected, actual;
        using (torch.no_grad()) expected = model.call(x);
        BatchNormFolding.Fold(model);
        Assert.That(model.parameters().Select(p => p.dtype).Distinct(), Is.EqualTo(new[] { ScalarType.Float64 }), "the fold keeps the model's type");
        using (torch.no_grad()) actual = model.call(x);
        Assert.That((actual - expected).abs().max().item<double>(), Is.LessThanOrEqualTo(1e-10 * Math.Max(1.0, expected.abs().max().item<double>())));
    }

    [Test]
    public void AFoldedModelExportsWithoutBatchNormalizationNodes()
    {
        using var scope = NewDisposeScope();
        var model = Zoo.Create("resnet18", new ModelOptions { Seed = 8 });
        RandomiseBatchNorms(model, 3, 64, seed: 6);
        model.eval();
        var (before, _) = OnnxExporter.Build(model, new OnnxExportOptions { InputSize = (64, 64) });
        BatchNormFolding.Fold(model);
        var (after, _) = OnnxExporter.Build(model, new OnnxExportOptions { InputSize = (64, 64) });
        Assert.That(before.Graph.Node.Count(n => n.OpType == "BatchNormalization"), Is.EqualTo(20));
        Assert.That(after.Graph.Node.Count(n => n.OpType == "BatchNormalization"), Is.Zero);
        Assert.That(after.Graph.Node.Count(n => n.OpType == "Conv"), Is.EqualTo(20));
        Assert.That(after.Graph.Node.Where(n => n.OpType == "Conv").All(n => n.Input.Count == 3), "every convolution has its folded bias");

        using var generator = new Generator(1);
        var x = torch.randn([2, 3, 64, 64], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        using var session = Session(after.ToByteArray());
        var (logits, _) = Run(session, x);
        Assert.That(MaxAbsDiff(logits, expected), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void ATrainingModeModelIsRefused()
    {
        using var scope = NewDisposeScope();
        var model = Zoo.Create("deepcnn_wide", new ModelOptions { Seed = 1 });
        model.train();
        var e = Assert.Throws<ArgumentException>(() => BatchNormFolding.Fold(model))!;
        Assert.That(e.Message, Does.Contain("eval"));
        Assert.That(model.modules().OfType<BatchNorm2d>().Count(), Is.EqualTo(6), "nothing was folded");
    }

    [TestCase("bnn-mnist", 28)]
    [TestCase("binary-resnet18", 64)]
    public void BinarisedConvolutionsKeepTheirNorms(string name, int size)
    {
        using var scope = NewDisposeScope();
        var model = Zoo.Create(name, new ModelOptions { Seed = 2 });
        long channels = Zoo.Card(name).DefaultInput.Channels;
        RandomiseBatchNorms(model, channels, size, seed: 3);
        model.eval();
        using var generator = new Generator(4);
        var x = torch.randn([2, channels, size, size], generator: generator);
        Tensor expected, actual;
        using (torch.no_grad()) expected = model.call(x);
        var result = BatchNormFolding.Fold(model);
        using (torch.no_grad()) actual = model.call(x);
        if (name == "bnn-mnist")
        {
            Assert.That(result.Folded, Is.EqualTo(new[] { "features.1" }), "only the real first convolution's norm");
            Assert.That(result.Kept, Is.EqualTo(new[] { "features.4", "features.6", "features.9", "classifier.1" }));
        }
        else
        {
            Assert.That(result.Folded, Has.Member("bn1").And.Member("layer2.0.downsample.1"), "the real stem and 1x1 shortcuts fold");
            Assert.That(result.Kept, Has.Member("layer1.0.bn1").And.Count.EqualTo(16), "the binary 3x3 convolutions' norms stay");
        }
        Assert.That((actual - expected).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-5 * Math.Max(1.0, expected.abs().max().item<float>())));
    }
}
