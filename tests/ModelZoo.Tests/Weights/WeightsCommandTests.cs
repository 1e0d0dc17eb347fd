using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Data.Folders;
using ModelZoo.Hub;
using ModelZoo.Tests.Cli;
using ModelZoo.Tests.Data;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// The CLI with weights by name, in-process: <c>weights list</c> and <c>weights download</c>, <c>predict</c>,
/// <c>embed</c> and <c>export</c> with <c>--weights NAME</c> (ImageNet class names printed), <c>train --pretrained NAME</c>,
/// <c>import-weights --weights URL --sha256</c> (and a hostile pickle behind a URL refused), and the usage errors. The
/// weights are a resnet18 file written by Debian's PyTorch, served by a loopback server and added to the table as
/// <c>resnet18.test_in1k</c> with its real hash; the caches are temporary folders.
/// </summary>
[NonParallelizable]
[RestoresTorchThreads]
public class WeightsCommandTests
{
    private HubFiles _files = null!;

    [OneTimeSetUp]
    public void MakeFiles() => _files = new HubFiles();

    [OneTimeTearDown]
    public void RemoveFiles() => _files?.Dispose();

    /// <summary>Points the hub at fresh caches and adds resnet18.test_in1k served by <paramref name="server"/> (this async flow only).</summary>
    private HubOptions Use(LoopbackHttpServer server)
    {
        var options = _files.FreshOptions();
        WeightsHub.OptionsOverride.Value = options;
        WeightsHub.ExtraEntries.Value = [_files.Entry(server.Url("models") + "resnet18.pth")];
        return options;
    }

    private static string[] Images(int n) =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.Imagenette, "val"), "*.JPEG", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(n).ToArray();

    [Test]
    public async Task ListShowsEveryEntryWithItsHashAndWhatIsAlreadyHere()
    {
        var options = _files.FreshOptions();
        WeightsHub.OptionsOverride.Value = options;
        string cached = Path.Combine(options.WeightsDirectory, "resnet18-f37072fd.pth");
        Directory.CreateDirectory(options.WeightsDirectory);
        File.WriteAllBytes(cached, [1, 2, 3]);
        var (code, stdout, err) = await CliHarness.Run("weights", "list", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        var entries = doc.RootElement.EnumerateArray().ToList();
        Assert.That(entries.Select(e => e.GetProperty("name").GetString()), Is.EqualTo(WeightsHub.All.Select(w => w.Name)));
        var r50 = entries.Single(e => e.GetProperty("name").GetString() == "resnet50.tv2_in1k");
        Assert.That(r50.GetProperty("default").GetBoolean(), Is.True);
        Assert.That(r50.GetProperty("url").GetString(), Is.EqualTo("https://download.pytorch.org/models/resnet50-11ad3fa6.pth"));
        Assert.That(r50.GetProperty("sha256").GetString(), Is.EqualTo("11ad3fa6"));
        Assert.That(r50.GetProperty("sha256_is_prefix").GetBoolean(), Is.True);
        Assert.That(r50.GetProperty("preprocessing").GetProperty("resize").GetInt32(), Is.EqualTo(232));
        Assert.That(r50.GetProperty("reference_top1").GetDouble(), Is.EqualTo(80.858));
        Assert.That(r50.GetProperty("local_path").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(entries.Single(e => e.GetProperty("name").GetString() == "resnet18.tv_in1k").GetProperty("local_path").GetString(), Is.EqualTo(cached));

        (code, stdout, err) = await CliHarness.Run("weights", "list");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(stdout, Does.Contain("resnet50.tv2_in1k *").And.Contain("resnet50-11ad3fa6.pth").And.Contain("232/224 bilinear").And.Contain("cache: " + options.WeightsDirectory));
    }

    [Test]
    public async Task DownloadPrintsTheVerifiedPathAndPlainProgressOnStderr()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        var options = Use(server);
        var (code, stdout, err) = await CliHarness.Run("weights", "download", "resnet18.test_in1k");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string path = Path.Combine(options.WeightsDirectory, "resnet18.pth");
        Assert.That(stdout.Trim(), Is.EqualTo(path), "stdout is the path alone, for $(modelzoo weights download ...)");
        Assert.That(err, Does.Contain("downloading resnet18.test_in1k from " + server.Url("models") + "resnet18.pth").And.Contain("SHA-256 verified"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));

        (code, stdout, err) = await CliHarness.Run("weights", "download", "resnet18.test_in1k", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Is.Empty, "a cached file shows no progress");
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("path").GetString(), Is.EqualTo(path));
        Assert.That(doc.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(_files.ResNet18Sha));
        Assert.That(doc.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(_files.ResNet18.Length));

        // A URL: checked against --sha256; a wrong one is a failure that names both hashes.
        (code, stdout, err) = await CliHarness.Run("weights", "download", server.Url("other") + "resnet18.pth", "--sha256", new string('1', 64));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("SHA-256 mismatch").And.Contain(_files.ResNet18Sha).And.Contain(new string('1', 64)));
        (code, _, err) = await CliHarness.Run("weights", "download", server.Url("other") + "resnet18.pth");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("no SHA-256").And.Contain("--sha256"));
    }

    [Test]
    public async Task PredictWithWeightsPrintsImageNetClassNames()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        var options = Use(server);
        var images = Images(2);
        var (code, stdout, err) = await CliHarness.Run(["predict", "--weights", "resnet18.test_in1k", .. images, "--top", "3", "--json", "--threads", "2"]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.That(results, Has.Count.EqualTo(2));
            foreach (var p in results.SelectMany(r => r.GetProperty("predictions").EnumerateArray()))
            {
                int index = p.GetProperty("index").GetInt32();
                Assert.That(p.GetProperty("class").GetString(), Is.EqualTo(ClassNames.ImageNetClassIds[index]));
                Assert.That(p.GetProperty("name").GetString(), Is.EqualTo(ClassNames.WordNet[ClassNames.ImageNetClassIds[index]]), "a human name, not an index");
            }
        }
        Assert.That(Directory.GetFiles(Path.Combine(options.CacheDirectory, "checkpoints"), "*.ckpt"), Has.Length.EqualTo(1), "made once");

        (code, stdout, err) = await CliHarness.Run(["predict", "--weights", "resnet18.test_in1k", images[0], "--threads", "2"]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(stdout, Does.Match(@"[a-z].* \(n\d{8}\)"), "name (WordNet id)");
        Assert.That(server.Requests, Has.Count.EqualTo(1), "downloaded once");
    }

    [Test]
    public async Task EmbedAndExportWithWeights()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        Use(server);
        string work = _files.NewDirectory("export");
        var (code, stdout, err) = await CliHarness.Run("embed", "--weights", "resnet18.test_in1k", Images(1)[0], "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using (var doc = JsonDocument.Parse(stdout)) Assert.That(doc.RootElement.GetProperty("dim").GetInt32(), Is.EqualTo(512));

        string output = Path.Combine(work, "resnet18.safetensors");
        (code, _, err) = await CliHarness.Run("export", "--weights", "resnet18.test_in1k", "--format", "safetensors", "--output", output);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var scope = NewDisposeScope();
        var exported = SafetensorsFile.Read(output);
        var original = PretrainedWeights.Read(_files.ResNet18File);
        Assert.That(exported.Keys, Is.EquivalentTo(original.Keys));
        Assert.That(exported["fc.weight"].equal(original["fc.weight"]).all().item<bool>(), Is.True, "the downloaded weights, unchanged");
    }

    [Test]
    public async Task TrainStartsFromNamedWeightsWithANewHead()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        Use(server);
        string run = Path.Combine(_files.NewDirectory("train"), "run");
        var (code, _, err) = await CliHarness.Run("train", "--model", "resnet18", "--pretrained", "resnet18.test_in1k", "--freeze-backbone",
            "--data", TestPaths.Imagenette, "--epochs", "1", "--max-steps", "1", "--batch-size", "4", "--image-size", "64",
            "--threads", "2", "--output", run, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(err, Does.Contain("new head for 10 classes"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ImportWeightsTakesAUrlWithItsHashAndRefusesAHostilePickle()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(r.Path.EndsWith("hostile.pth", StringComparison.Ordinal) ? _files.Hostile : _files.ResNet18, r));
        Use(server);
        string work = _files.NewDirectory("import");
        string good = Path.Combine(work, "good.ckpt");
        var (code, _, err) = await CliHarness.Run("import-weights", "--model", "resnet18", "--weights", server.Url("models") + "resnet18.pth",
            "--sha256", _files.ResNet18Sha, "--output", good);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(File.Exists(good), Is.True);

        string bad = Path.Combine(work, "bad.ckpt");
        (code, _, err) = await CliHarness.Run("import-weights", "--model", "resnet18", "--weights", server.Url("models") + "hostile.pth",
            "--sha256", _files.HostileSha, "--output", bad);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("hostile.pth").And.Contain("system"), "the error names the file and the refused global");
        Assert.That(File.Exists(_files.Marker), Is.False, "nothing in the pickle ran");
        Assert.That(File.Exists(bad), Is.False);

        (code, _, err) = await CliHarness.Run("train", "--model", "resnet18", "--pretrained", server.Url("models") + "hostile.pth", "--sha256", _files.HostileSha,
            "--data", TestPaths.Imagenette, "--epochs", "1", "--max-steps", "1", "--image-size", "64", "--output", Path.Combine(work, "run"));
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("hostile.pth"));
        Assert.That(File.Exists(_files.Marker), Is.False);
    }

    [TestCase(new[] { "weights" }, "weights: give a subcommand: list, download")]
    [TestCase(new[] { "weights", "lst" }, "did you mean 'list'?")]
    [TestCase(new[] { "weights", "download", "resnet5O" }, "did you mean 'resnet50'?")]
    [TestCase(new[] { "weights", "download", "resnet50", "--sha256", "xyz" }, "--sha256 must be 64 hex digits")]
    [TestCase(new[] { "predict", "--weights", "resnet50.tv3_in1k", "x.jpg" }, "unknown weights 'resnet50.tv3_in1k'")]
    [TestCase(new[] { "predict", "--weights", "resnet50", "--onnx", "m.onnx", "x.jpg" }, "give exactly one of --checkpoint FILE, --onnx FILE and --weights NAME")]
    [TestCase(new[] { "evaluate", "--weights", "resnet50" }, "--weights needs --data")]
    [TestCase(new[] { "export", "--weights", "https://example.invalid/w.pth", "-o", "x.onnx" }, "--weights takes a known weights name")]
    [TestCase(new[] { "import-weights", "--model", "resnet18", "--weights", "resnet50", "--output", "x.ckpt" }, "these are resnet50's weights")]
    [TestCase(new[] { "train", "--model", "resnet18", "--data", "mnist-sample", "--pretrained", "resnet18.nosuch" }, "--pretrained: 'resnet18.nosuch' is not a file, a URL or known weights")]
    public async Task UsageErrorsNameTheProblem(string[] args, string message)
    {
        WeightsHub.OptionsOverride.Value = _files.FreshOptions(offline: true);
        var (code, _, err) = await CliHarness.Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.Contain(message));
    }
}
