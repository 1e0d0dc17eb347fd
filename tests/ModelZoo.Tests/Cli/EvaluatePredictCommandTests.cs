using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Data;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>evaluate and predict against a real (briefly trained) deepcnn checkpoint on the bundled MNIST sample.</summary>
public class EvaluatePredictCommandTests
{
    private string _run = "";
    private string _digit = "";
    private int _digitLabel;

    [OneTimeSetUp]
    public async Task TrainTinyCheckpoint()
    {
        _run = Path.Combine(Path.GetTempPath(), "mz-eval-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1",
            "--max-steps", "30", "--output", _run, "--threads", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        // A real test digit written as a PNG file.
        var split = DataSpec.Resolve("mnist-sample");
        var sample = split.Validation.Get(0);
        _digitLabel = sample.Label;
        _digit = Path.Combine(_run, "digit.png");
        TestPng.WriteGrey(_digit, sample.Image);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_run)) Directory.Delete(_run, recursive: true);
    }

    [Test]
    public async Task EvaluateWritesReportCsvAndFigureAndAgreesWithJson()
    {
        string output = Path.Combine(_run, "eval-a");
        var (code, stdout, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--data", "mnist-sample", "--output", output, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("samples").GetInt64(), Is.EqualTo(2000));
        double top1 = root.GetProperty("top1").GetDouble(), top5 = root.GetProperty("top5").GetDouble();
        Assert.That(top1, Is.InRange(0.0, 1.0));
        Assert.That(top5, Is.GreaterThanOrEqualTo(top1));
        long diagonal = 0, total = 0;
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        for (int i = 0; i < confusion.Length; i++) { diagonal += confusion[i][i]; total += confusion[i].Sum(); }
        Assert.That(total, Is.EqualTo(2000));
        Assert.That((double)diagonal / total, Is.EqualTo(top1).Within(1e-9));

        var csv = File.ReadAllLines(Path.Combine(output, "confusion.csv"));
        Assert.That(csv, Has.Length.EqualTo(11));
        Assert.That(csv[1].Split(',').Skip(1).Select(long.Parse), Is.EqualTo(confusion[0]));
        byte[] png = File.ReadAllBytes(Path.Combine(output, "misclassified.png"));
        Assert.That(png.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.That(File.Exists(Path.Combine(output, "report.json")));
    }

    [Test]
    public async Task EnsembleOfTwoCheckpointsIsEvaluated()
    {
        var (code, stdout, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--checkpoint",
            Path.Combine(_run, "checkpoints", Checkpoint.LastFileName), "--data", "mnist-sample", "--output", Path.Combine(_run, "eval-b"), "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("checkpoints").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task EvaluateTableShowsAccuracyAndConfusion()
    {
        var (code, stdout, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--data", "mnist-sample", "--output", Path.Combine(_run, "eval-c"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(stdout, Does.Contain("top-1").And.Contain("precision").And.Contain("confusion"));
    }

    [Test]
    public async Task PredictGivesTopKProbabilitiesThatSumBelowOne()
    {
        var (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, _digit, "--top", "3", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        var predictions = doc.RootElement.GetProperty("results")[0].GetProperty("predictions").EnumerateArray().ToList();
        Assert.That(predictions, Has.Count.EqualTo(3));
        var p = predictions.Select(x => x.GetProperty("probability").GetDouble()).ToList();
        Assert.That(p, Is.Ordered.Descending);
        Assert.That(p.Sum(), Is.LessThanOrEqualTo(1.0 + 1e-6));
        Assert.That(predictions.Select(x => x.GetProperty("class").GetString()).Distinct().Count(), Is.EqualTo(3));
    }

    [Test]
    public async Task PredictOnATextFileFailsWithTheFileNamed()
    {
        string bogus = Path.Combine(_run, "notes.jpg");
        await File.WriteAllTextAsync(bogus, "not an image");
        var (code, _, err) = await CliHarness.Run("predict", "--checkpoint", _run, bogus);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain(bogus));
    }

    [Test]
    public async Task EvaluateOnMismatchedDataFailsClearly()
    {
        var (code, _, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--data", TestPaths.Imagenette);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
        Assert.That(err, Does.Contain("channel").Or.Contain("classes"));
    }

    [Test]
    public async Task MissingCheckpointIsAUsageError()
    {
        var (code, _, _) = await CliHarness.Run("evaluate", "--data", "mnist-sample");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
    }

    [Test]
    public async Task EmbedPrintsTheTrunksPooledFeaturesPerImage()
    {
        // A second, different real digit.
        var other = DataSpec.Resolve("mnist-sample").Validation.Get(1);
        string second = Path.Combine(_run, "digit-2.png");
        TestPng.WriteGrey(second, other.Image);
        var (code, stdout, err) = await CliHarness.Run("embed", "--checkpoint", _run, _digit, second, _digit, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("dim").GetInt32(), Is.EqualTo(64), "deepcnn's trunk ends in 64 channels");
        var vectors = doc.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
        Assert.That(vectors, Has.Count.EqualTo(3));
        Assert.That(vectors.All(v => v.Length == 64 && v.All(x => x >= 0)), "pooled ReLU maps are non-negative");
        Assert.That(vectors[2], Is.EqualTo(vectors[0]), "the same image gives the same embedding");
        Assert.That(vectors[1], Is.Not.EqualTo(vectors[0]), "another digit gives another embedding");

        (code, _, err) = await CliHarness.Run("embed", "--checkpoint", _run, Path.Combine(_run, "missing.png"));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("missing.png"));
    }

    [Test]
    public async Task EmbedAndPredictWriteTheirJsonToOutputAndRefuseToReplaceItUnasked()
    {
        string dir = Path.Combine(_run, "outputs-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        string embeddings = Path.Combine(dir, "embeddings.json");
        var (code, stdout, err) = await CliHarness.Run("embed", "--checkpoint", _run, _digit, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        (code, _, err) = await CliHarness.Run("embed", "--checkpoint", _run, _digit, "--output", embeddings);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using (var printed = JsonDocument.Parse(stdout))
        using (var written = JsonDocument.Parse(File.ReadAllText(embeddings)))
        {
            var a = printed.RootElement.GetProperty("results")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var b = written.RootElement.GetProperty("results")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.That(b, Is.EqualTo(a), "the file holds the document --json prints");
        }
        (code, _, err) = await CliHarness.Run("embed", "--checkpoint", _run, _digit, "--output", embeddings);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), "an existing --output file is not replaced without --overwrite");
        Assert.That(err, Does.Contain("--overwrite"));
        (code, _, err) = await CliHarness.Run("embed", "--checkpoint", _run, _digit, "--output", embeddings, "--overwrite", "--threads", "1", "--precision", "bf16");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        string predictions = Path.Combine(dir, "predictions.json");
        (code, _, err) = await CliHarness.Run("predict", "--checkpoint", _run, _digit, "--output", predictions, "--top", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(File.ReadAllText(predictions));
        Assert.That(doc.RootElement.GetProperty("results")[0].GetProperty("predictions").GetArrayLength(), Is.EqualTo(2));
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(2), "no temporary files are left beside the outputs");
    }
}
