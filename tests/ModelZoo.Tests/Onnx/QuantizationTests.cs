using Google.Protobuf;
using ModelZoo.Onnx;
using ModelZoo.Onnx.Quantization;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static ModelZoo.Tests.Onnx.OnnxRuntimeSupport;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Onnx;

/// <summary>
/// The QDQ models <see cref="OnnxQuantizer"/> writes, on every family at test sizes: int8 weights and int32 biases
/// behind DequantizeLinear, QuantizeLinear/DequantizeLinear around every Conv and Gemm, and ONNX Runtime running
/// every convolution, GEMM, residual sum and concatenation on its integer kernels; the file under 30 % of the float
/// export; the caller's model untouched; typed errors for bad calibration input. Fidelity on real data is in
/// <c>QuantizeCommandTests</c>.
/// </summary>
[RestoresTorchThreads]
[NonParallelizable]
public class QuantizationTests
{
    private static OnnxQuantizationOptions Options(int size, QuantizedActivationType activations = QuantizedActivationType.UInt8) =>
        new() { Export = new OnnxExportOptions { InputSize = (size, size) }, Threads = 2, Activations = activations };

    private static nn.Module<Tensor, Tensor> Model(string name, int size, long seed = 3)
    {
        var model = Zoo.Create(name, new ModelOptions { Seed = seed });
        RandomiseBatchNorms(model, Zoo.Card(name).DefaultInput.Channels, size, seed: 5);
        model.eval();
        return model;
    }

    private static IEnumerable<Tensor> Synthetic(string name, int size, int samples = 16) =>
        OnnxQuantizer.SyntheticCalibration(samples, ((int)Zoo.Card(name).DefaultInput.Channels, size, size), batchSize: 8, seed: 1);

    public static IEnumerable<TestCaseData> Families()
    {
        yield return new TestCaseData("deepcnn", 28).SetName("EveryFamilyRunsOnIntegerKernels(deepcnn)");
        yield return new TestCaseData("deepcnn_wide", 28).SetName("EveryFamilyRunsOnIntegerKernels(deepcnn_wide)");
        yield return new TestCaseData("resnet18", 64).SetName("EveryFamilyRunsOnIntegerKernels(resnet18)");
        yield return new TestCaseData("resnet50", 64).SetName("EveryFamilyRunsOnIntegerKernels(resnet50)");
        yield return new TestCaseData("googlenet", 64).SetName("EveryFamilyRunsOnIntegerKernels(googlenet)");
        yield return new TestCaseData("vgg11_bn", 64).SetName("EveryFamilyRunsOnIntegerKernels(vgg11_bn)");
    }

    [TestCaseSource(nameof(Families))]
    public void EveryFamilyRunsOnIntegerKernels(string name, int size)
    {
        torch.set_num_threads(2);
        using var scope = NewDisposeScope();
        var model = Model(name, size);
        var (floatGraph, _) = OnnxExporter.Build(model, new OnnxExportOptions { InputSize = (size, size) });
        int convs = floatGraph.Graph.Node.Count(n => n.OpType == "Conv"), gemms = floatGraph.Graph.Node.Count(n => n.OpType == "Gemm");
        int norms = floatGraph.Graph.Node.Count(n => n.OpType == "BatchNormalization");
        var (bytes, info) = OnnxQuantizer.QuantizeToBytes(model, Synthetic(name, size), Options(size));
        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        TestContext.Out.WriteLine($"{name}: {info.FloatBytes:N0} -> {info.FileBytes:N0} bytes ({info.SizeRatio:P1}); quantized {string.Join(", ", info.QuantizedOps)}; float [{string.Join(", ", info.FloatNodes)}]");

        // The file: integer weights behind DequantizeLinear on every Conv and Gemm, the activations quantized in front.
        AssertQdqGraph(graph, convs, gemms);
        Assert.That(info.FoldedBatchNorms, Is.EqualTo(norms));
        Assert.That(graph.Node.Count(n => n.OpType == "BatchNormalization"), Is.Zero);
        Assert.That(info.FileBytes, Is.EqualTo(bytes.Length));
        Assert.That(info.SizeRatio, Is.LessThanOrEqualTo(0.30), "int8 weights: about a quarter of the float file");
        Assert.That(info.Samples, Is.EqualTo(16));

        // What ONNX Runtime runs: integer kernels for every convolution, GEMM, residual sum and concatenation.
        var ops = OptimizedOps(bytes);
        TestContext.Out.WriteLine("ONNX Runtime runs: " + string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        Assert.That(ops.GetValueOrDefault("QLinearConv"), Is.EqualTo(convs));
        Assert.That(ops.GetValueOrDefault("QGemm"), Is.EqualTo(gemms));
        foreach (string op in new[] { "Conv", "Gemm", "Add", "Concat", "Relu", "BatchNormalization" })
            Assert.That(ops.GetValueOrDefault(op), Is.Zero, $"{op} left in float");
        if (name.StartsWith("resnet", StringComparison.Ordinal)) Assert.That(ops.GetValueOrDefault("QLinearAdd"), Is.EqualTo(info.QuantizedOps["Add"]));
        if (name == "googlenet") Assert.That(ops.GetValueOrDefault("QLinearConcat"), Is.EqualTo(9));
        // Only VGG's 7x7 adaptive pool of a 2x2 map (64-pixel input) is a constant MatMul; it stays float and is named.
        Assert.That(info.FloatNodes, name == "vgg11_bn" ? Is.EqualTo(new[] { "avgpool.pool_rows (MatMul)", "avgpool (MatMul)" }) : Is.Empty);

        // It runs, batch 1 and 3 (dynamic batch kept), and gives finite logits of the model's width.
        using var session = Session(bytes);
        using var generator = new Generator(4);
        var x = torch.randn([3, Zoo.Card(name).DefaultInput.Channels, size, size], generator: generator);
        var (logits, shape) = Run(session, x);
        Assert.That(shape, Is.EqualTo(new long[] { 3, floatGraph.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue }));
        Assert.That(logits.All(float.IsFinite));
        Assert.That(Run(session, x.narrow(0, 0, 1)).Shape[0], Is.EqualTo(1));
    }

    /// <summary>Every Conv/Gemm reads DequantizeLinear outputs: of the input activation, of an int8 weight, of an int32 bias.</summary>
    internal static void AssertQdqGraph(GraphProto graph, int convs, int gemms)
    {
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var compute = graph.Node.Where(n => n.OpType is "Conv" or "Gemm").ToList();
        Assert.That(compute.Count(n => n.OpType == "Conv"), Is.EqualTo(convs));
        Assert.That(compute.Count(n => n.OpType == "Gemm"), Is.EqualTo(gemms));
        foreach (var node in compute)
        {
            var dq = node.Input.Select(i => producers[i]).ToList();
            Assert.That(dq.Select(p => p.OpType), Is.All.EqualTo("DequantizeLinear"), node.Name);
            Assert.That(producers.ContainsKey(dq[0].Input[0]) && producers[dq[0].Input[0]].OpType == "QuantizeLinear", node.Name + ": the input is quantized");
            var weight = initializers[dq[1].Input[0]];
            Assert.That(weight.DataType, Is.EqualTo((int)TensorProto.Types.DataType.Int8), node.Name + " weight");
            Assert.That(weight.RawData.Length, Is.EqualTo(weight.Dims.Aggregate(1L, (a, b) => a * b)), "one byte per weight");
            Assert.That(initializers[dq[1].Input[1]].Dims, Is.EqualTo(new[] { weight.Dims[0] }), "one scale per output channel");
            Assert.That(dq[1].Attribute.Single(a => a.Name == "axis").I, Is.Zero);
            if (dq.Count > 2) Assert.That(initializers[dq[2].Input[0]].DataType, Is.EqualTo((int)TensorProto.Types.DataType.Int32), node.Name + " bias");
        }
        Assert.That(graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count >= 2 && t.Dims.Aggregate(1L, (a, b) => a * b) > 1000),
            Is.All.Matches<TensorProto>(t => t.Name.StartsWith("avgpool", StringComparison.Ordinal)), "no float weight matrices left (pooling constants aside)");
    }

    [Test]
    public void SignedActivationsGiveAnS8S8ModelThatRunsOnIntegerKernelsInAChain()
    {
        using var scope = NewDisposeScope();
        var model = Model("deepcnn_wide", 28);
        var (bytes, _) = OnnxQuantizer.QuantizeToBytes(model, Synthetic("deepcnn_wide", 28), Options(28, QuantizedActivationType.Int8));
        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        var zeroPoints = graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => graph.Initializer.Single(t => t.Name == n.Input[2]).DataType).Distinct();
        Assert.That(zeroPoints, Is.EqualTo(new[] { (int)TensorProto.Types.DataType.Int8 }), "int8 activations");
        // deepcnn_wide is a chain, so ONNX Runtime's int8-to-uint8 conversion applies everywhere and everything fuses.
        var ops = OptimizedOps(bytes);
        Assert.That(ops.GetValueOrDefault("QLinearConv"), Is.EqualTo(6));
        Assert.That(ops.GetValueOrDefault("Conv"), Is.Zero);
    }

    [Test]
    public void TheCallersModelIsNotChanged()
    {
        using var scope = NewDisposeScope();
        var model = Model("resnet18", 64);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        OnnxQuantizer.QuantizeToBytes(model, Synthetic("resnet18", 64, 8), Options(64));
        var after = model.state_dict();
        Assert.That(after.Keys, Is.EqualTo(before.Keys), "batch norms still there");
        foreach (var (key, value) in before) Assert.That(after[key].equal(value).all().item<bool>(), key);
        Assert.That(model.modules().OfType<BatchNorm2d>().Count(), Is.EqualTo(20));
    }

    [Test]
    public void FoldingTheGraphKeepsTheFloatModelsOutputs()
    {
        using var scope = NewDisposeScope();
        var model = Model("googlenet", 64);
        var (graph, _) = OnnxExporter.Build(model, new OnnxExportOptions { InputSize = (64, 64) });
        var folded = graph.Clone();
        Assert.That(GraphBatchNormFolding.Fold(folded.Graph), Is.EqualTo(57));
        Assert.That(folded.Graph.Node.Count(n => n.OpType == "BatchNormalization"), Is.Zero);
        Assert.That(folded.Graph.Initializer.Count(t => t.Name.EndsWith("running_mean", StringComparison.Ordinal)), Is.Zero, "the norms' statistics are gone");
        using var generator = new Generator(2);
        var x = torch.randn([2, 3, 64, 64], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        using var session = Session(folded.ToByteArray());
        Assert.That(MaxAbsDiff(Run(session, x).Values, expected), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void TheSizeEstimateIsTheFilesSize()
    {
        using var scope = NewDisposeScope();
        var model = Model("resnet18", 64);
        var estimate = OnnxQuantizer.EstimateSize(model, new OnnxExportOptions { InputSize = (64, 64) });
        string path = Path.Combine(Path.GetTempPath(), $"modelzoo-q-{Guid.NewGuid():N}.onnx");
        try
        {
            var info = OnnxQuantizer.Quantize(model, Synthetic("resnet18", 64, 8), path, Options(64));
            Assert.That(info.Path, Is.EqualTo(path));
            Assert.That(info.FileBytes, Is.EqualTo(new FileInfo(path).Length));
            Assert.That(estimate.FloatBytes, Is.EqualTo(info.FloatBytes));
            Assert.That(Math.Abs(estimate.Int8Bytes - info.FileBytes), Is.LessThanOrEqualTo(info.FileBytes / 200), "within 0.5 % (the metadata line differs)");
            Assert.That(estimate.Ratio, Is.InRange(0.2, 0.3));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void TheFilePassesOnnxChecker()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(Path.GetTempPath(), $"modelzoo-q-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxQuantizer.Quantize(Model("resnet18", 64), Synthetic("resnet18", 64, 8), path, Options(64));
            OnnxChecker.AssertValid(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NoCalibrationSamplesIsATypedError()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(Path.GetTempPath(), $"modelzoo-q-{Guid.NewGuid():N}.onnx");
        var e = Assert.Throws<OnnxQuantizationException>(() => OnnxQuantizer.Quantize(Model("deepcnn", 28), [], path, Options(28)))!;
        Assert.That(e.Message, Does.Contain("no calibration samples"));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void ABatchOfTheWrongShapeOrTypeIsATypedError()
    {
        using var scope = NewDisposeScope();
        var model = Model("deepcnn", 28);
        var e = Assert.Throws<OnnxQuantizationException>(() => OnnxQuantizer.QuantizeToBytes(model, [torch.zeros(4, 1, 28, 28), torch.zeros(4, 3, 28, 28)], Options(28)))!;
        Assert.That(e.Message, Does.Contain("batch 1").And.Contain("[4, 3, 28, 28]").And.Contain("[n, 1, 28, 28]"));
        e = Assert.Throws<OnnxQuantizationException>(() => OnnxQuantizer.QuantizeToBytes(model, [torch.zeros(new long[] { 4, 1, 28, 28 }, ScalarType.Float64)], Options(28)))!;
        Assert.That(e.Message, Does.Contain("Float64"));
        var infinite = torch.zeros(2, 1, 28, 28);
        infinite[0, 0, 0, 0] = torch.tensor(float.PositiveInfinity);
        e = Assert.Throws<OnnxQuantizationException>(() => OnnxQuantizer.QuantizeToBytes(model, [infinite], Options(28)))!;
        Assert.That(e.Message, Does.Contain("infinite"));
    }

    [Test]
    public void OptionsOutOfRangeAndBinarisedModelsAreRefused()
    {
        using var scope = NewDisposeScope();
        var model = Model("deepcnn", 28);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxQuantizer.QuantizeToBytes(model, Synthetic("deepcnn", 28), Options(28) with { Percentile = 40 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxQuantizer.QuantizeToBytes(model, Synthetic("deepcnn", 28), Options(28) with { HistogramBins = 101 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxQuantizer.QuantizeToBytes(model, Synthetic("deepcnn", 28), Options(28) with { Method = (CalibrationMethod)7 }));
        using var bnn = Zoo.Create("bnn-mnist");
        bnn.eval();
        var e = Assert.Throws<OnnxExportException>(() => OnnxQuantizer.QuantizeToBytes(bnn, Synthetic("bnn-mnist", 28), Options(28)))!;
        Assert.That(e.Message, Does.Contain("BnnMnist"));
    }

    [TestCase(CalibrationMethod.MinMax)]
    [TestCase(CalibrationMethod.Percentile)]
    [TestCase(CalibrationMethod.Entropy)]
    public void EveryMethodQuantizesAndRecordsItselfInTheMetadata(CalibrationMethod method)
    {
        using var scope = NewDisposeScope();
        var (bytes, info) = OnnxQuantizer.QuantizeToBytes(Model("deepcnn_wide", 28), Synthetic("deepcnn_wide", 28), Options(28) with { Method = method });
        Assert.That(info.Method, Is.EqualTo(method));
        var meta = ModelProto.Parser.ParseFrom(bytes).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(meta[OnnxMetadata.Quantization], Does.Contain(method.ToString().ToLowerInvariant()).And.Contain("16 samples"));
        Assert.That(meta[OnnxMetadata.ModelName], Is.EqualTo("deepcnn_wide"), "the export's metadata is kept");
    }
}
