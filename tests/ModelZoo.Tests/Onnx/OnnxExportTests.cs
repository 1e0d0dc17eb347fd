using ModelZoo.Onnx;
using static ModelZoo.Tests.Onnx.OnnxRuntimeSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Onnx;

/// <summary>
/// Every zoo model, exported and run in ONNX Runtime: the logits equal TorchSharp's eval-mode logits at batch 1 and
/// batch 3 (one graph, dynamic batch) on random input, with random batch-norm statistics. Four models are checked at
/// the card's input; the larger variants at 64x64 (their adaptive pools allow it) to keep CI fast, plus sizes that
/// take the other pooling paths (VGG's small-input stem, deepcnn's non-identity 4x4 pool).
/// </summary>
[RestoresTorchThreads]
[NonParallelizable]
public class OnnxExportTests
{
    private const double Tolerance = 1e-4;
    private static readonly HashSet<string> AtCardSize = ["deepcnn", "deepcnn_wide", "resnet18", "vgg11_bn", "googlenet"];
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static IEnumerable<TestCaseData> Models()
    {
        // Binarized networks use layers ONNX has no standard op for; they get the typed error (tested below).
        foreach (string name in Zoo.Names.Where(n => Zoo.Card(n).Family is not ("bnn" or "binary")))
        {
            var card = Zoo.Card(name);
            int size = AtCardSize.Contains(name) ? card.DefaultInput.Height : 64;
            yield return new TestCaseData(name, size, false, false).SetName($"ExportMatchesTorchSharp({name}, {size}x{size})");
        }
        yield return new TestCaseData("googlenet", 64, true, false).SetName("ExportMatchesTorchSharp(googlenet with aux heads, 64x64)");
        yield return new TestCaseData("googlenet", 64, false, true).SetName("ExportMatchesTorchSharp(googlenet with transform_input, 64x64)");
        yield return new TestCaseData("vgg11", 28, false, false).SetName("ExportMatchesTorchSharp(vgg11 small stem, 28x28)");
        yield return new TestCaseData("deepcnn", 56, false, false).SetName("ExportMatchesTorchSharp(deepcnn, 56x56)");
        yield return new TestCaseData("deepcnn_wide", 56, false, false).SetName("ExportMatchesTorchSharp(deepcnn_wide, 56x56)");
    }

    [TestCase("bnn-mnist")]
    [TestCase("binary-resnet18")]
    public void BinarizedNetworksAreATypedErrorNamingTheLayer(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Zoo.Create(name);
        model.eval();
        string path = Path.Combine(_dir, name + ".onnx");
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(model, path))!;
        Assert.That(e.Message, Does.Contain("Binary").Or.Contain("BnnMnist"));
        Assert.That(File.Exists(path), Is.False, "nothing is written");
    }

    [TestCaseSource(nameof(Models))]
    public void ExportMatchesTorchSharp(string name, int size, bool aux, bool transformInput)
    {
        torch.set_num_threads(2);
        using var scope = NewDisposeScope();
        var model = Zoo.Create(name, new ModelOptions { Seed = 7, Family = aux || transformInput ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = aux, TransformInput = transformInput } : null });
        long channels = Zoo.Card(name).DefaultInput.Channels;
        int norms = RandomiseBatchNorms(model, channels, size, seed: 11);
        if (name.Contains("_bn", StringComparison.Ordinal) || name.StartsWith("resnet", StringComparison.Ordinal) || name is "googlenet" or "deepcnn_wide")
            Assert.That(norms, Is.GreaterThan(0));
        model.eval();
        string path = Path.Combine(_dir, name + (aux ? "-aux" : "") + (transformInput ? "-tin" : "") + ".onnx");
        var info = OnnxExporter.Export(model, path, new OnnxExportOptions { InputSize = (size, size) });
        Assert.That(info.Path, Is.EqualTo(path));
        Assert.That(info.FileBytes, Is.EqualTo(new FileInfo(path).Length));

        using var generator = new Generator(5);
        var x = torch.randn([3, channels, size, size], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        Assert.That(expected.std().item<float>(), Is.GreaterThan(1e-3f), "the logits vary (a constant output would hide errors)");

        using var session = Session(path);
        var (batch3, shape3) = Run(session, x);
        var (batch1, shape1) = Run(session, x.narrow(0, 0, 1));
        Assert.That(shape3, Is.EqualTo(new long[] { 3, info.NumClasses }));
        Assert.That(shape1, Is.EqualTo(new long[] { 1, info.NumClasses }));
        double diff3 = MaxAbsDiff(batch3, expected), diff1 = MaxAbsDiff(batch1, expected.narrow(0, 0, 1));
        double scale = expected.abs().max().item<float>();
        TestContext.Out.WriteLine($"{name} {size}x{size}{(aux ? " aux" : "")}: max |diff| batch 1 {diff1:E2}, batch 3 {diff3:E2} (max |logit| {scale:G4}); {info.Nodes} nodes, {info.FileBytes / 1e6:F1} MB");
        Assert.That(diff1, Is.LessThanOrEqualTo(Tolerance), "batch 1");
        Assert.That(diff3, Is.LessThanOrEqualTo(Tolerance), "batch 3");
    }
}
