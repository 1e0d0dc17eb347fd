using ModelZoo.Blocks;
using ModelZoo.Onnx;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static ModelZoo.Tests.Onnx.OnnxRuntimeSupport;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Onnx;

/// <summary>What an exported file declares (names, dynamic batch, opset, metadata, initializers) and how the exporter fails.</summary>
[NonParallelizable]
public class OnnxGraphTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelzoo-onnx-graph-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static Dictionary<string, string> Metadata(ModelProto model) => model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    [Test]
    public void TheFileDeclaresNamesDynamicBatchOpsetAndPreprocessing()
    {
        string path = Path.Combine(_dir, "resnet18.onnx");
        var info = OnnxExporter.Export(Zoo.Create("resnet", new ModelOptions { Seed = 1 }), path);
        Assert.That(info.ModelName, Is.EqualTo("resnet18"), "aliases resolve");
        Assert.That(info.Opset, Is.EqualTo(17));
        Assert.That(info.InputShape, Is.EqualTo((3L, 224L, 224L)));

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.That(model.OpsetImport.Single().Version, Is.EqualTo(17));
        Assert.That(model.OpsetImport.Single().Domain, Is.Empty);
        Assert.That(model.IrVersion, Is.EqualTo(8));
        var input = model.Graph.Input.Single();
        var output = model.Graph.Output.Single();
        Assert.That(input.Name, Is.EqualTo("input"));
        Assert.That(output.Name, Is.EqualTo("logits"));
        var inDims = input.Type.TensorType.Shape.Dim;
        Assert.That(inDims[0].DimParam, Is.EqualTo("batch"));
        Assert.That(inDims.Skip(1).Select(d => d.DimValue), Is.EqualTo(new long[] { 3, 224, 224 }));
        Assert.That(output.Type.TensorType.Shape.Dim[0].DimParam, Is.EqualTo("batch"));
        Assert.That(output.Type.TensorType.Shape.Dim[1].DimValue, Is.EqualTo(1000));

        var meta = Metadata(model);
        Assert.That(meta[OnnxMetadata.ModelName], Is.EqualTo("resnet18"));
        Assert.That(meta[OnnxMetadata.NumClasses], Is.EqualTo("1000"));
        Assert.That(meta[OnnxMetadata.InputSize], Is.EqualTo("3,224,224"));
        Assert.That(meta[OnnxMetadata.Mean], Is.EqualTo("0.485,0.456,0.406"));
        Assert.That(meta[OnnxMetadata.Std], Is.EqualTo("0.229,0.224,0.225"));
        Assert.That(meta[OnnxMetadata.Resize], Is.EqualTo("256"));
        Assert.That(meta[OnnxMetadata.Crop], Is.EqualTo("224"));
        Assert.That(meta[OnnxMetadata.Interpolation], Is.EqualTo("bilinear"));

        // ONNX Runtime reads the same: a dynamic (-1) batch and the metadata.
        using var session = Session(path);
        Assert.That(session.InputMetadata["input"].Dimensions, Is.EqualTo(new[] { -1, 3, 224, 224 }));
        Assert.That(session.OutputMetadata["logits"].Dimensions, Is.EqualTo(new[] { -1, 1000 }));
        Assert.That(session.ModelMetadata.CustomMetadataMap[OnnxMetadata.Mean], Is.EqualTo("0.485,0.456,0.406"));
    }

    [Test]
    public void MnistPreprocessingHasNoResize()
    {
        var (model, _) = OnnxExporter.Build(Zoo.Create("deepcnn", new ModelOptions { Seed = 1 }));
        var meta = Metadata(model);
        Assert.That(meta[OnnxMetadata.Resize], Is.EqualTo("none"));
        Assert.That(meta[OnnxMetadata.Mean], Is.EqualTo("0.1307"));
        Assert.That(meta[OnnxMetadata.Std], Is.EqualTo("0.3081"));
        Assert.That(meta[OnnxMetadata.Crop], Is.EqualTo("28"));
        Assert.That(meta[OnnxMetadata.NumClasses], Is.EqualTo("10"));
        Assert.That(meta[OnnxMetadata.InputSize], Is.EqualTo("1,28,28"));
    }

    [Test]
    public void TheGraphIsAnInferenceGraphWithStateDictNames()
    {
        // Dropout gone, one BatchNormalization per batch norm (running statistics as initializers), no auxiliary head.
        var net = Zoo.Create("googlenet", new ModelOptions { Family = new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true }, Seed = 1 });
        var (model, _) = OnnxExporter.Build(net);
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.That(ops, Has.No.Member("Dropout"));
        Assert.That(ops.Count(o => o == "BatchNormalization"), Is.EqualTo(net.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Count() - 2), "all but the two aux heads' norms");
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet();
        var stateDict = net.state_dict().Keys.Where(k => !k.StartsWith("aux", StringComparison.Ordinal) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToHashSet();
        Assert.That(initializers, Is.EquivalentTo(stateDict));
        Assert.That(model.Graph.Node.Select(n => n.Output.Single()).Distinct().Count(), Is.EqualTo(model.Graph.Node.Count), "value names are unique");
        Assert.That(model.Graph.Node[^1].Output.Single(), Is.EqualTo("logits"));
    }

    [Test]
    public void TheParityCheckWouldCatchAnExportThatIgnoredTheRunningStatistics()
    {
        // The comparison in OnnxExportTests can fail: the same graph with the running variances reset to 1 (what an
        // export that used fresh norms would write) is far from TorchSharp's logits.
        using var scope = NewDisposeScope();
        var net = Zoo.Create("resnet18", new ModelOptions { Seed = 3 });
        RandomiseBatchNorms(net, 3, 64, seed: 4);
        net.eval();
        var (model, _) = OnnxExporter.Build(net, new OnnxExportOptions { InputSize = (64, 64) });
        using var generator = new Generator(6);
        var x = torch.randn([1, 3, 64, 64], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = net.call(x);
        using (var good = Session(model.ToByteArray()))
            Assert.That(MaxAbsDiff(Run(good, x).Values, expected), Is.LessThanOrEqualTo(1e-4));
        foreach (var init in model.Graph.Initializer.Where(i => i.Name.EndsWith("running_var", StringComparison.Ordinal)))
        {
            var ones = Enumerable.Repeat(1f, (int)init.Dims[0]).ToArray();
            init.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ones.AsSpan()));
        }
        using var wrong = Session(model.ToByteArray());
        Assert.That(MaxAbsDiff(Run(wrong, x).Values, expected), Is.GreaterThan(1e-2));
    }

    [Test]
    public void AnUnknownModuleIsATypedErrorNamingItsPathAndType()
    {
        var layers = LayerFactory.Default with { Activation = () => nn.SiLU() };
        var model = Zoo.Create("deepcnn", new ModelOptions { Layers = layers, Seed = 1 });
        string path = Path.Combine(_dir, "silu.onnx");
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(model, path))!;
        Assert.That(e, Is.InstanceOf<ModelZooException>());
        Assert.That(e.ModulePath, Is.EqualTo("features.1"));
        Assert.That(e.ModuleType, Is.EqualTo("TorchSharp.Modules.SiLU"));
        Assert.That(e.Message, Does.Contain("'features.1'").And.Contain("SiLU"));
        Assert.That(Directory.GetFiles(_dir), Is.Empty, "nothing written");
    }

    [Test]
    public void AFailedExportLeavesAnExistingFileAndAGoodOneReplacesIt()
    {
        string path = Path.Combine(_dir, "model.onnx");
        File.WriteAllText(path, "old");
        var bad = Zoo.Create("deepcnn", new ModelOptions { Layers = LayerFactory.Default with { Activation = () => nn.GELU() }, Seed = 1 });
        Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(bad, path));
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        var info = OnnxExporter.Export(Zoo.Create("deepcnn", new ModelOptions { Seed = 1 }), path);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(info.FileBytes).And.GreaterThan(100_000));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temporary file left");
    }

    [Test]
    public void AnInputTooSmallForTheNetworkIsATypedError()
    {
        var model = Zoo.Create("deepcnn", new ModelOptions { Seed = 1 });
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(model, new OnnxExportOptions { InputSize = (1, 1) }))!;
        Assert.That(e.ModulePath, Does.StartWith("features."));
    }

    [TestCase(12)]
    [TestCase(22)]
    public void AnOpsetOutOfRangeIsRefused(int opset) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Build(Zoo.Create("deepcnn", new ModelOptions { Seed = 1 }), new OnnxExportOptions { Opset = opset }));

    [Test]
    public void AModelWithoutACardIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Build(nn.Sequential(("fc", nn.Linear(4, 2)))))!;
        Assert.That(e.Message, Does.Contain("not a zoo model"));
    }
}
