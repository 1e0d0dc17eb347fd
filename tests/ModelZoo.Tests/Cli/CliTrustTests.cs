using System.Text.Json;
using System.Text.RegularExpressions;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using ModelZoo.Tests.Training;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Issue 18, "a CLI people trust": a run folder is never mixed with another run, <c>--overwrite</c> replaces without
/// losing the old run early, outputs are checked before work (full disk, read-only), messages without .NET wording,
/// "did you mean", <c>--version</c>, natural order, snake_case JSON, real help examples.
/// </summary>
[NonParallelizable]
[RestoresTorchThreads]
public partial class CliTrustTests
{
    private CliFixture _f = null!;

    [OneTimeSetUp]
    public void SetUp() => _f = new CliFixture();

    [OneTimeTearDown]
    public void TearDown() => _f.Dispose();

    private static string[] Tiny(string model, string output, params string[] more) =>
        ["train", "--model", model, "--data", "mnist-sample", "--epochs", "1", "--max-steps", "2", "--threads", "1", "--no-tensorboard", "-o", output, .. more];

    private static string ModelOf(string runDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement.GetProperty("model").GetString()!;

    private static string[] Siblings(string dir) => Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!)
        .Where(p => Path.GetFileName(p).StartsWith(Path.GetFileName(dir) + ".", StringComparison.Ordinal)).ToArray();

    [Test, Category("NeedsZoo")]
    public async Task ANonEmptyRunFolderIsRefusedAndOverwriteReplacesItWhole()
    {
        string dir = Path.Combine(_f.Root, "run-" + Guid.NewGuid().ToString("N")[..6]);
        var first = await CliHarness.Run(Tiny("deepcnn", dir));
        Assert.That(first.Code, Is.EqualTo(ExitCodes.Success), first.Err);
        Directory.CreateDirectory(Path.Combine(dir, "evaluation"));
        File.WriteAllText(Path.Combine(dir, "evaluation", "report.json"), "{\"stale\":true}");

        var refused = await CliHarness.Run(Tiny("bnn-mnist", dir));
        Assert.That(refused.Code, Is.EqualTo(ExitCodes.Usage), refused.Err);
        Assert.That(refused.Err, Does.Contain(dir).And.Contain($"--resume {dir}").And.Contain("--overwrite"));
        Assert.That(refused.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(refused.Out, Does.Not.Contain("run folder"), "refused before the banner");
        Assert.That(ModelOf(dir), Is.EqualTo("deepcnn"), "the other run's config is untouched");
        Assert.That(File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")), Has.Length.EqualTo(1), "nothing appended");

        var replaced = await CliHarness.Run(Tiny("bnn-mnist", dir, "--overwrite", "--json"));
        Assert.That(replaced.Code, Is.EqualTo(ExitCodes.Success), replaced.Err);
        Assert.That(ModelOf(dir), Is.EqualTo("bnn-mnist"));
        var metrics = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"));
        Assert.That(metrics, Has.Length.EqualTo(1), "a fresh metrics.jsonl, not epochs 1, 1");
        Assert.That(Directory.Exists(Path.Combine(dir, "evaluation")), Is.False, "no stale evaluation/ of the old run");
        Assert.That(Checkpoint.ReadInfo(dir).ModelName, Is.EqualTo("bnn-mnist"));
        Assert.That(Siblings(dir), Is.Empty, "the old run, kept aside, is gone once the new one has its checkpoint");

        // --json: one naming convention (snake_case) throughout.
        using var json = JsonDocument.Parse(replaced.Out);
        AssertSnakeCase(json.RootElement, "");
        Assert.That(json.RootElement.GetProperty("run_directory").GetString(), Is.EqualTo(dir));
    }

    [Test, Category("NeedsZoo")]
    public async Task OverwriteKeepsTheOldRunWhenTheNewOneFailsBeforeItsFirstCheckpoint()
    {
        string dir = Path.Combine(_f.Root, "run-" + Guid.NewGuid().ToString("N")[..6]);
        var first = await CliHarness.Run(Tiny("deepcnn", dir));
        Assert.That(first.Code, Is.EqualTo(ExitCodes.Success), first.Err);
        var before = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var failed = await CliHarness.Run(new BrokenData(), Tiny("deepcnn", dir, "--overwrite"));
        Assert.That(failed.Code, Is.EqualTo(ExitCodes.Failure), failed.Err);
        Assert.That(failed.Err, Does.Contain("broken batch"));
        Assert.That(Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal), Is.EqualTo(before), "the old run is back, whole");
        Assert.That(Checkpoint.ReadInfo(dir).ModelName, Is.EqualTo("deepcnn"));
        Assert.That(Siblings(dir), Is.Empty);
    }

    [Test]
    public async Task AFullDiskIsOneErrorBeforeAnyWork()
    {
        string run = Path.Combine(_f.Root, "full-" + Guid.NewGuid().ToString("N")[..6]);
        string onnx = Path.Combine(_f.Root, "full.onnx");
        OutputChecks.FreeBytes = _ => 4096;
        try
        {
            var train = await CliHarness.Run(new CliFixture.NoData(), "train", "--model", "deepcnn", "--data", "mnist-sample", "-o", run);
            Assert.That(train.Code, Is.EqualTo(ExitCodes.Failure), train.Err);
            Assert.That(train.Err, Does.Contain("not enough disk space").And.Contain(run));
            Assert.That(Directory.Exists(run), Is.False);
            var export = await CliHarness.Run("export", "--checkpoint", _f.Checkpoint, "-o", onnx);
            Assert.That(export.Code, Is.EqualTo(ExitCodes.Failure), export.Err);
            Assert.That(export.Err, Does.Contain("not enough disk space").And.Contain(onnx));
            Assert.That(File.Exists(onnx), Is.False);
        }
        finally
        {
            OutputChecks.FreeBytes = null!;
        }
    }

    [Test]
    public async Task AReadOnlyFolderIsOneErrorBeforeAnyWork()
    {
        // /sys is read-only even for root, so this works where chmod does not.
        const string readOnly = "/sys/kernel";
        Assume.That(Directory.Exists(readOnly) && !CanWrite(readOnly), "needs a read-only folder (/sys/kernel on Linux)");
        var train = await CliHarness.Run(new CliFixture.NoData(), "train", "--model", "deepcnn", "--data", "mnist-sample", "-o", readOnly + "/mz-run");
        Assert.That(train.Code, Is.EqualTo(ExitCodes.Failure), train.Err);
        Assert.That(train.Err, Does.Contain("cannot write in '/sys/kernel'"));
        var export = await CliHarness.Run("export", "--checkpoint", _f.Checkpoint, "--format", "safetensors", "-o", readOnly + "/m.safetensors");
        Assert.That(export.Code, Is.EqualTo(ExitCodes.Failure), export.Err);
        Assert.That(export.Err, Does.Contain("cannot write in '/sys/kernel'"));
    }

    private static bool CanWrite(string dir)
    {
        try
        {
            string p = Path.Combine(dir, ".mz-probe");
            File.WriteAllText(p, "");
            File.Delete(p);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Test]
    public async Task EvaluateOverwriteSwapsInAWholeReportAndTheDefaultFolderIsReplaced()
    {
        string output = Path.Combine(_f.Root, "eval-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "stale.txt"), "old");
        var refused = await CliHarness.Run("evaluate", "--checkpoint", _f.Checkpoint, "--data", "mnist-sample", "-o", output);
        Assert.That(refused.Code, Is.EqualTo(ExitCodes.Usage), refused.Err);
        Assert.That(refused.Err, Does.Contain(output).And.Contain("--overwrite"));

        var (code, _, err) = await CliHarness.Run("evaluate", "--checkpoint", _f.Checkpoint, "--data", "mnist-sample", "-o", output, "--overwrite", "--threads", "1", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "confusion.csv", "misclassified.png", "report.json", "top-losses.png" }), "the old folder's files are gone");
        Assert.That(Siblings(output), Is.Empty, "no staging or aside folders left");
    }

    [Test]
    public async Task ExportAndImportReplaceAnExistingFileOnlyWithOverwrite()
    {
        string file = Path.Combine(_f.Root, "w-" + Guid.NewGuid().ToString("N")[..6] + ".safetensors");
        File.WriteAllText(file, "old");
        var refused = await CliHarness.Run("export", "--checkpoint", _f.Checkpoint, "--format", "safetensors", "-o", file);
        Assert.That(refused.Code, Is.EqualTo(ExitCodes.Usage), refused.Err);
        Assert.That(File.ReadAllText(file), Is.EqualTo("old"));
        var (code, _, err) = await CliHarness.Run("export", "--checkpoint", _f.Checkpoint, "--format", "safetensors", "-o", file, "--overwrite");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(new FileInfo(file).Length, Is.GreaterThan(100_000));

        string ckpt = Path.Combine(_f.Root, "imported-" + Guid.NewGuid().ToString("N")[..6] + ".ckpt");
        File.WriteAllText(ckpt, "old");
        var refusedImport = await CliHarness.Run("import-weights", "--model", "deepcnn", "--classes", "10", "--weights", file, "-o", ckpt);
        Assert.That(refusedImport.Code, Is.EqualTo(ExitCodes.Usage), refusedImport.Err);
        Assert.That(refusedImport.Err, Does.Contain("already exists").And.Contain("--overwrite"));
        var imported = await CliHarness.Run("import-weights", "--model", "deepcnn", "--classes", "10", "--weights", file, "-o", ckpt, "--overwrite");
        Assert.That(imported.Code, Is.EqualTo(ExitCodes.Success), imported.Err);
        Assert.That(Checkpoint.ReadInfo(ckpt).ModelName, Is.EqualTo("deepcnn"));
    }

    [TestCase("resnet5", "resnet50")]
    [TestCase("vgg16bn", "vgg16_bn")]
    [TestCase("deepcn", "deepcnn")]
    [TestCase("googlenet", "googlenet")]
    public void ModelTyposGetTheClosestName(string typo, string expected) =>
        Assert.That(Suggestions.Closest(typo, Zoo.Names.Concat(Zoo.Aliases.Keys)), Is.EqualTo(expected));

    [TestCase("--epoch", "--epochs")]
    [TestCase("--modle", "--model")]
    [TestCase("--batch", "--batch-size")]
    [TestCase("--lr-rate", null)]
    [TestCase("--xyzzy", null)]
    public void OptionTyposGetTheClosestOption(string typo, string? expected) =>
        Assert.That(Suggestions.Closest(typo, ["--epochs", "--model", "--batch-size", "--lr", "--label-smoothing", "--json"]), Is.EqualTo(expected));

    [Test]
    public void ErrorMessagesCarryNoDotNetWording()
    {
        Assert.That(CliErrors.Map(new ArgumentException("unknown augmentation preset 'foo'", "name")).Message, Is.EqualTo("unknown augmentation preset 'foo'"));
        Assert.That(CliErrors.Map(new ArgumentOutOfRangeException("options", 99, "opset must be 13 to 21")).Message, Is.EqualTo("opset must be 13 to 21"));
        var denied = CliErrors.Map(new UnauthorizedAccessException("Access to the path '/data/img' is denied."));
        Assert.That(denied.Message, Does.Contain("'/data/img'").And.Not.Contain("Access to the path"));
        Assert.That(CliErrors.Map(new DirectoryNotFoundException("Could not find a part of the path '/a/b/c'.")).Message,
            Is.EqualTo("'/a/b/c': a folder on the way does not exist"));
        Assert.That(CliErrors.Map(new IOException("The file '/a/x.onnx' already exists.")).Message, Is.EqualTo("'/a/x.onnx' already exists"));
        Assert.That(CliErrors.Map(new IOException("line one\nline two")).Message, Is.EqualTo("line one line two"), "always one line");
    }

    [Test]
    public async Task VersionPrintsTheGitVersionAndCommitWithTorchSharpAndLibtorch()
    {
        var (code, output, err) = await CliHarness.Run("--version");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        // The build's version comes from git (MinVer): a release X.Y.Z on a tag, X.Y.Z-dev.N between tags.
        Assert.That(CliVersion.Tool, Does.Match(@"^\d+\.\d+\.\d+(-dev\.(\d+|shallow\.g[0-9a-f]{10}))?$"));
        var git = ProcessRunner.Run("git", ["rev-parse", "HEAD"], TestPaths.RepoRoot, TimeSpan.FromMinutes(1));
        if (git.ExitCode != 0) Assert.Ignore("not a git clone: " + git.All);
        string head = git.StdOut.Trim();
        Assert.That(CliVersion.Commit, Is.EqualTo(head), "the commit this build was made from (rebuild after committing)");
        Assert.That(output.Trim(), Does.Match($@"^modelzoo {Regex.Escape(CliVersion.Tool)} \(commit {head}, TorchSharp 0\.107\.\d+, libtorch \d+\.\d+\.\d+\)$"));
    }

    [Test]
    public async Task ListSortsNaturally()
    {
        var (code, output, _) = await CliHarness.Run("list", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        using var doc = JsonDocument.Parse(output);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        var resnets = names.Where(n => n.StartsWith("resnet", StringComparison.Ordinal)).ToList();
        Assert.That(resnets, Is.EqualTo(new[] { "resnet18", "resnet34", "resnet50", "resnet101", "resnet152" }));
        var table = (await CliHarness.Run("list")).Out;
        Assert.That(table.IndexOf("resnet18", StringComparison.Ordinal), Is.LessThan(table.IndexOf("resnet101", StringComparison.Ordinal)));
    }

    [Test]
    public async Task HelpListsEveryPresetTheNewOptionsAndRealRunFolderExamples()
    {
        var (code, output, _) = await CliHarness.Run("train", "--help");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (string preset in TransformPresets.Names) Assert.That(output, Does.Contain(preset), "preset " + preset);
        Assert.That(output, Does.Contain("--overwrite").And.Contain("--progress-interval").And.Contain("--max-bad-fraction"));
        Assert.That(output, Does.Match(@"runs/deepcnn-\d{8}-\d{6}"), "a real run-folder name");
        foreach (string command in new[] { "evaluate", "predict", "embed", "export" })
        {
            string help = (await CliHarness.Run(command, "--help")).Out;
            Assert.That(help, Does.Match(@"runs/deepcnn-\d{8}-\d{6}/checkpoints/best\.ckpt"), command);
            Assert.That(help, Does.Not.Contain("runs/deepcnn/"), command);
        }
    }

    [Test]
    public async Task EveryJsonOutputUsesSnakeCase()
    {
        string st = Path.Combine(_f.Root, "snake-" + Guid.NewGuid().ToString("N")[..6] + ".safetensors");
        string eval = Path.Combine(_f.Root, "snake-eval-" + Guid.NewGuid().ToString("N")[..6]);
        string[][] commands =
        [
            ["list", "--json"],
            ["inspect", "--model", "deepcnn", "--json"],
            ["inspect", "--model", "deepcnn", "--state-dict", "--json"],
            ["export", "--checkpoint", _f.Checkpoint, "--format", "safetensors", "-o", st, "--json"],
            ["evaluate", "--checkpoint", _f.Checkpoint, "--data", "mnist-sample", "-o", eval, "--threads", "1", "--json"],
        ];
        foreach (var args in commands)
        {
            var (code, output, err) = await CliHarness.Run(args);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using var doc = JsonDocument.Parse(output);
            AssertSnakeCase(doc.RootElement, args[0]);
        }
    }

    [Test]
    public async Task ACheckpointOutsideARunFolderIsEvaluatedIntoItsOwnFolder()
    {
        string ckpt = Path.Combine(_f.Root, "loose-" + Guid.NewGuid().ToString("N")[..6] + ".ckpt");
        File.Copy(_f.Checkpoint, ckpt);
        var (code, _, err) = await CliHarness.Run("evaluate", "--checkpoint", ckpt, "--data", "mnist-sample", "--threads", "1", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string expected = Path.ChangeExtension(ckpt, null) + "-evaluation";
        Assert.That(File.Exists(Path.Combine(expected, "report.json")), expected);
        Assert.That(Directory.Exists(Path.Combine(Path.GetDirectoryName(_f.Root)!, "evaluation")), Is.False, "not two levels up");
    }

    private static void AssertSnakeCase(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                Assert.That(p.Name, Does.Match("^[a-z0-9]+(_[a-z0-9]+)*$"), $"key {path}.{p.Name}");
                AssertSnakeCase(p.Value, path + "." + p.Name);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray()) AssertSnakeCase(item, path + "[]");
        }
    }

    /// <summary>Training batches that fail at once (validation is fine): the new run dies before its first checkpoint.</summary>
    private sealed class BrokenData : IDataProvider
    {
        public TrainingData Open(DataRequest request, int batchSize) => new TrainingData(new Broken(), new DigitBatches(7000, 100, 100, shuffle: false),
            Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), Normalization.Mnist, 1, 28, "broken");

        private sealed class Broken : IBatchSource
        {
            public int SamplesPerEpoch => 100;
            public int BatchesPerEpoch => 1;

            public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default) =>
                throw new ModelZooDataException("broken batch", "test");
        }
    }
}
