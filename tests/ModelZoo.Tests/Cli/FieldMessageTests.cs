using System.Globalization;
using System.IO.Compression;
using ModelZoo.Cli;
using ModelZoo.Data;
using ModelZoo.Training;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// The messages a new user meets on the first wrong step (issue 28): each names the next step, with its exit code,
/// and comes before any work is done.
/// </summary>
[NonParallelizable]
public class FieldMessageTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void MakeRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "mz-fieldmsg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { /* best effort */ }
    }

    [Test]
    public void EveryCardsSmallestInputRunsAndOnePixelLessFails()
    {
        foreach (string name in Zoo.Names)
        {
            var card = Zoo.Card(name);
            Assert.That(card.MinInputSize, Is.InRange(1, card.DefaultInput.Height), name);
            using var scope = NewDisposeScope();
            using var model = Zoo.Create(name, new ModelOptions { NumClasses = 10 });
            model.eval();
            using var noGrad = no_grad();
            int c = card.DefaultInput.Channels, s = card.MinInputSize;
            Assert.DoesNotThrow(() => model.call(randn(2, c, s, s)), $"{name} at its MinInputSize {s}");
            if (s > 1) Assert.That(() => model.call(randn(2, c, s - 1, s - 1)), Throws.Exception, $"{name} at {s - 1}, one less than its MinInputSize");
            Assert.Throws<InputTooSmallException>(() => ModelInputs.EnsureFits(name, s - 1, s));
            Assert.DoesNotThrow(() => ModelInputs.EnsureFits(name, s, s));
        }
    }

    [Test]
    public async Task TrainAtAnImageSizeBelowTheCardsSmallestStopsBeforeAnyWork()
    {
        string output = Path.Combine(_root, "googlenet-8");
        var (code, _, err) = await CliHarness.Run(new CliFixture.NoData(), "train", "--model", "googlenet", "--data", "mnist-sample", "--image-size", "8", "--output", output);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain("googlenet needs inputs of at least 15x15 pixels, got 8x8"));
        Assert.That(err, Does.Not.Contain("Output size is too small"));
        Assert.That(Directory.Exists(output), Is.False, "nothing written");

        (code, _, err) = await CliHarness.Run("inspect", "--model", "vgg16", "--input", "3x12x12");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain("vgg16 needs inputs of at least 16x16 pixels, got 12x12"));
    }

    [Test]
    public async Task APyTorchFileGivenAsACheckpointNamesImportWeights()
    {
        // torch.save's zip format, and the legacy pickle format (protocol 2), under the name a user would have.
        string zip = Path.Combine(_root, "resnet18.pth");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var entry = archive.CreateEntry("archive/data.pkl").Open())
            entry.Write(new byte[256]);
        string legacy = Path.Combine(_root, "legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, .. new byte[200]]);
        string image = Path.Combine(_root, "digit.png");
        TestPng.WriteGrey(image, DataSpec.Resolve("mnist-sample").Validation.Get(0).Image);

        foreach (var (file, kind) in new[] { (zip, "zip file"), (legacy, "Python pickle") })
        {
            var (code, _, err) = await CliHarness.Run("predict", "--checkpoint", file, image);
            Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
            Assert.That(err, Does.Contain(file).And.Contain(kind).And.Contain("not a ModelZoo checkpoint"));
            Assert.That(err, Does.Contain("modelzoo import-weights --model NAME --weights FILE").And.Contain("--weights"));
            Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
        }
    }

    [Test]
    public async Task Resnet18WeightsImportedAsResnet34AreSummarisedAndRecognised()
    {
        string weights = Path.Combine(_root, "resnet18-weights.safetensors");
        using (var scope = NewDisposeScope())
        using (var model = Zoo.Create("resnet18"))
            SafetensorsFile.Write(weights, model.state_dict());

        var (code, _, err) = await CliHarness.Run("import-weights", "--model", "resnet34", "--weights", weights, "--output", Path.Combine(_root, "r34.ckpt"));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
        string line = err.Trim();
        Assert.That(line.Split('\n'), Has.Length.EqualTo(1), "one line");
        // resnet34 has 218 state-dict keys, resnet18 122: 96 are missing; none is unexpected.
        Assert.That(line, Does.Contain("96 of the model's 218 keys missing from the file (layer1.2.conv1.weight, "));
        Assert.That(line, Does.Contain("and 91 more)"));
        Assert.That(line, Does.Contain("this file looks like resnet18 (its keys are exactly that model's; binary-resnet18 has the same keys)"));
        Assert.That(line.Length, Is.LessThan(700), "a summary, not 96 keys");
        Assert.That(File.Exists(Path.Combine(_root, "r34.ckpt")), Is.False);

        // The library says the same: a typed error naming the file.
        using var r34 = Zoo.Create("resnet34");
        var e = Assert.Throws<WeightsFileException>(() => PretrainedWeights.Load(r34, weights))!;
        Assert.That(e.Path, Is.EqualTo(weights));
        Assert.That(e.Problem, Does.Contain("looks like resnet18"));
    }

    [Test]
    public async Task AMistypedDataFolderSuggestsTheNearestExistingOne()
    {
        string datasets = Path.Combine(_root, "datasets");
        Directory.CreateDirectory(Path.Combine(datasets, "imagenette-mini", "train"));
        Directory.CreateDirectory(Path.Combine(datasets, "other-set"));
        string typo = Path.Combine(datasets, "imagenete-mini");
        var (code, _, err) = await CliHarness.Run(new CliFixture.NoData(), "train", "--model", "resnet18", "--data", typo);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain($"did you mean '{Path.Combine(datasets, "imagenette-mini")}'?"));

        // Relative, as typed from the repository root (../shared/datasets/imagenete-mini): the suggestion stays relative.
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, typo);
        (code, _, err) = await CliHarness.Run(new CliFixture.NoData(), "evaluate", "--checkpoint", Path.Combine(_root, "none.ckpt"), "--data", relative);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain($"did you mean '{Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(datasets, "imagenette-mini"))}'?"));

        // Two typos on the way, and nothing close at all.
        Assert.That(Suggestions.ClosestPath(Path.Combine(_root, "datsets", "imagenete-mini")), Is.EqualTo(Path.Combine(datasets, "imagenette-mini")));
        Assert.That(Suggestions.ClosestPath(Path.Combine(datasets, "completely-different")), Is.Null);
    }

    private static string Cli => Path.Combine(TestPaths.RepoRoot, "src", "ModelZoo.Cli", "bin", "Release", "net10.0", "ModelZoo.Cli.dll");

    [Test]
    public void ListEvaluateAndPredictIntoAPipeKeepEveryRowOnOneLine()
    {
        // A real redirected stdout (a pipe to this process), where Spectre would otherwise assume 80 columns.
        var timeout = TimeSpan.FromMinutes(3);
        var list = ProcessRunner.Dotnet([Cli, "list"], _root, timeout);
        Assert.That(list.ExitCode, Is.EqualTo(0), list.All);
        var lines = list.StdOut.Split('\n');
        foreach (string name in Zoo.Names)
        {
            var card = Zoo.Card(name);
            string input = $"{card.DefaultInput.Channels}x{card.DefaultInput.Height}x{card.DefaultInput.Width}";
            var aliases = Zoo.Aliases.Where(a => a.Value == name).Select(a => a.Key).ToList();
            Assert.That(lines.Any(l => l.Contains($" {name} ", StringComparison.Ordinal) && l.Contains(input, StringComparison.Ordinal)
                && aliases.All(a => l.Contains(a, StringComparison.Ordinal))), Is.True, $"{name}'s row on one line:\n{list.StdOut}");
        }

        // A checkpoint in a folder whose path is well over 80 characters.
        string deep = Path.Combine(_root, "a-folder-with-a-rather-long-name-for-the-evaluation", "and-one-more-level-below-it");
        Directory.CreateDirectory(deep);
        string checkpoint = Path.Combine(deep, "deepcnn.ckpt");
        var options = new ModelOptions { NumClasses = 10, InChannels = 1, Seed = 1 };
        using (var model = Zoo.Create("deepcnn", options))
            Checkpoint.SaveWeights(checkpoint, model, new ModelDescriptor("deepcnn", options,
                Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), Normalization.Mnist, 1, 28, "mnist-sample"));
        var evaluate = ProcessRunner.Dotnet([Cli, "evaluate", "--checkpoint", checkpoint, "--threads", "2"], _root, timeout);
        Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.All);
        string evaluation = Path.Combine(deep, "deepcnn-evaluation");
        Assert.That(evaluate.StdOut, Does.Contain(Path.Combine(evaluation, "misclassified.png") + "\n"), "the path on one line:\n" + evaluate.StdOut);
        for (int c = 0; c < 10; c++)
            Assert.That(evaluate.StdOut, Does.Match($@"(?m)^\s*{c}\s+\d+\s+\d\.\d{{3}}\s+\d\.\d{{3}}\s+\d\.\d{{3}}\s*$"), $"class {c}'s metrics on one line:\n{evaluate.StdOut}");

        string image = Path.Combine(deep, "a-digit-image-with-a-long-file-name-as-cameras-and-exports-write-them.png");
        TestPng.WriteGrey(image, DataSpec.Resolve("mnist-sample").Validation.Get(0).Image);
        var predict = ProcessRunner.Dotnet([Cli, "predict", "--checkpoint", checkpoint, image], _root, timeout);
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.All);
        Assert.That(predict.StdOut.Split('\n').Any(l => l.Contains(image, StringComparison.Ordinal)), Is.True, "the image path on one line:\n" + predict.StdOut);
    }
}
