using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Data;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// <c>predict</c> on folders, patterns and bad files, and <c>predict --onnx</c> in ONNX Runtime against the same
/// checkpoint in TorchSharp, with real test digits and a briefly trained deepcnn.
/// </summary>
[RestoresTorchThreads]
public class PredictCommandTests
{
    private string _run = "";
    private string _images = "";
    private string _onnx = "";

    [OneTimeSetUp]
    public async Task TrainExportAndWriteDigits()
    {
        _run = Path.Combine(Path.GetTempPath(), "mz-predict-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "20", "--output", _run, "--threads", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        _onnx = Path.Combine(_run, "model.onnx");
        (code, _, err) = await CliHarness.Run("export", "--checkpoint", _run, "--format", "onnx", "--output", _onnx);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        // Five real test digits: three at the top of a folder, two in a sub-folder.
        _images = Path.Combine(_run, "digits");
        Directory.CreateDirectory(Path.Combine(_images, "more"));
        var validation = DataSpec.Resolve("mnist-sample").Validation;
        for (int i = 0; i < 5; i++)
            TestPng.WriteGrey(Path.Combine(_images, i < 3 ? "" : "more", $"digit{i}.png"), validation.Get(i).Image);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_run)) Directory.Delete(_run, recursive: true);
    }

    private static List<string> Images(JsonDocument doc) =>
        doc.RootElement.GetProperty("results").EnumerateArray().Select(r => Path.GetFileName(r.GetProperty("image").GetString()!)).ToList();

    [Test]
    public async Task AFolderStandsForEveryImageUnderIt()
    {
        var (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, _images, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(Images(doc), Is.EqualTo(new[] { "digit0.png", "digit1.png", "digit2.png", "digit3.png", "digit4.png" }));
        Assert.That(doc.RootElement.GetProperty("errors").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task PatternsExpandToTheFilesTheyMatch()
    {
        var (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, Path.Combine(_images, "*.png"), "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using (var doc = JsonDocument.Parse(stdout)) Assert.That(Images(doc), Is.EqualTo(new[] { "digit0.png", "digit1.png", "digit2.png" }));

        (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, Path.Combine(_images, "**", "digit?.png"), "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using (var doc = JsonDocument.Parse(stdout)) Assert.That(Images(doc), Has.Count.EqualTo(5), "** reaches the sub-folder");
    }

    [Test]
    public async Task BadFilesAreReportedAndTheRestStillClassified()
    {
        string bad = Path.Combine(_run, "broken.png");
        await File.WriteAllTextAsync(bad, "this is not a PNG");
        string missing = Path.Combine(_run, "nowhere.png");
        string good = Path.Combine(_images, "digit0.png");
        var (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, bad, good, missing, Path.Combine(_run, "*.jpeg"), "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), "any failed image makes the exit code 1");
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(Images(doc), Is.EqualTo(new[] { "digit0.png" }), "the good image is still classified");
        var errors = doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("image").GetString()).ToList();
        Assert.That(errors, Is.EquivalentTo(new[] { bad, missing, Path.Combine(_run, "*.jpeg") }));
        Assert.That(err, Does.Contain($"{bad}: ").And.Contain($"{missing}: no such file or folder").And.Contain("no file matches"));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task OnnxRuntimeGivesTheCheckpointsProbabilities()
    {
        var torch = await CliHarness.Run("predict", "--checkpoint", _run, _images, "--top", "10", "--json");
        var ort = await CliHarness.Run("predict", "--onnx", _onnx, _images, "--top", "10", "--json");
        Assert.That(torch.Code, Is.EqualTo(ExitCodes.Success), torch.Err);
        Assert.That(ort.Code, Is.EqualTo(ExitCodes.Success), ort.Err);
        using var a = JsonDocument.Parse(torch.Out);
        using var b = JsonDocument.Parse(ort.Out);
        Assert.That(b.RootElement.GetProperty("onnx").GetString(), Is.EqualTo(Path.GetFullPath(_onnx)));
        Assert.That(b.RootElement.GetProperty("model").GetString(), Is.EqualTo("deepcnn"));
        var ra = a.RootElement.GetProperty("results").EnumerateArray().ToList();
        var rb = b.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.That(rb, Has.Count.EqualTo(5));
        for (int i = 0; i < ra.Count; i++)
        {
            var pa = ra[i].GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("class").GetString()!, p => p.GetProperty("probability").GetDouble());
            var pb = rb[i].GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("class").GetString()!, p => p.GetProperty("probability").GetDouble());
            Assert.That(pb.Keys, Is.EquivalentTo(pa.Keys), "the checkpoint's class names come with the ONNX file");
            foreach (var (cls, p) in pa) Assert.That(pb[cls], Is.EqualTo(p).Within(1e-5), $"image {i}, class {cls}");
        }
    }

    [Test]
    public async Task AFileThatIsNotOnnxIsOneClearError()
    {
        string fake = Path.Combine(_run, "fake.onnx");
        await File.WriteAllTextAsync(fake, "not a protobuf");
        var (code, _, err) = await CliHarness.Run("predict", "--onnx", fake, _images);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.Contain(fake).And.Contain("ONNX Runtime cannot load it"));

        (code, _, err) = await CliHarness.Run("predict", "--onnx", _onnx, "--checkpoint", _run, _images);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("exactly one of --checkpoint"));
    }
}
