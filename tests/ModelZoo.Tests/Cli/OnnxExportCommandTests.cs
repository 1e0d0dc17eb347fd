using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Onnx;
using ModelZoo.Training;
using TorchSharp;
using static ModelZoo.Tests.Onnx.OnnxRuntimeSupport;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Cli;

/// <summary><c>modelzoo export --format onnx</c> on a real (briefly trained) deepcnn checkpoint.</summary>
[RestoresTorchThreads]
public class OnnxExportCommandTests
{
    private string _run = "";

    [OneTimeSetUp]
    public async Task TrainTinyCheckpoint()
    {
        _run = Path.Combine(Path.GetTempPath(), "mz-export-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "10", "--output", _run, "--threads", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_run)) Directory.Delete(_run, recursive: true);
    }

    [Test]
    public async Task ExportWritesAGraphThatGivesTheCheckpointsLogits()
    {
        string output = Path.Combine(_run, "model.onnx");
        var (code, stdout, err) = await CliHarness.Run("export", "--checkpoint", _run, "--format", "onnx", "--output", output, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("model").GetString(), Is.EqualTo("deepcnn"));
        Assert.That(doc.RootElement.GetProperty("opset").GetInt32(), Is.EqualTo(17));
        Assert.That(doc.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(new FileInfo(output).Length));

        string checkpoint = Checkpoint.ResolveBestPath(_run);
        var info = Checkpoint.ReadInfo(checkpoint);
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(checkpoint);
        model.eval();
        using var generator = new Generator(9);
        var x = torch.randn([3, 1, 28, 28], generator: generator);
        Tensor expected;
        using (torch.no_grad()) expected = model.call(x);
        using var session = Session(output);
        Assert.That(MaxAbsDiff(Run(session, x).Values, expected), Is.LessThanOrEqualTo(1e-4));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.That(meta[OnnxMetadata.Mean], Is.EqualTo(string.Join(",", info.Normalization.Mean.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.That(meta[OnnxMetadata.Resize], Is.EqualTo("none"));
        Assert.That(meta[OnnxMetadata.Crop], Is.EqualTo("28"));
        Assert.That(JsonSerializer.Deserialize<string[]>(meta[OnnxMetadata.ClassNames]), Is.EqualTo(info.ClassNames));
    }

    [Test]
    public async Task AnotherFormatIsAUsageError()
    {
        var (code, _, err) = await CliHarness.Run("export", "--checkpoint", _run, "--format", "tflite", "--output", Path.Combine(_run, "x.tflite"));
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("--format"));
    }

    [Test]
    public async Task ExportAsSafetensorsGivesTheCheckpointsWeightsUnderTheirNames()
    {
        string output = Path.Combine(_run, "model.safetensors");
        var (code, stdout, err) = await CliHarness.Run("export", "--checkpoint", _run, "--format", "safetensors", "--output", output, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("format").GetString(), Is.EqualTo("safetensors"));
        var header = ModelZoo.Weights.SafetensorsFile.ReadHeader(output);
        Assert.That(header.Metadata["modelzoo.model"], Is.EqualTo("deepcnn"));
        var (model, _) = Checkpoint.LoadModel(Checkpoint.ResolveBestPath(_run));
        using (model)
        {
            var exported = ModelZoo.Weights.PretrainedWeights.Read(output);
            var live = model.state_dict();
            Assert.That(exported.Keys, Is.EquivalentTo(live.Keys));
            foreach (var (key, value) in live)
                Assert.That((exported[key] - value).abs().max().item<float>(), Is.Zero, key);
            foreach (var t in exported.Values) t.Dispose();
        }
        (code, _, err) = await CliHarness.Run("export", "--checkpoint", _run, "--format", "tflite", "--output", output);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("onnx, safetensors or packed"));
    }
}
