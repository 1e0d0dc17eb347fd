using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Data;
using ModelZoo.Tests.Cli;
using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

/// <summary>
/// The training library's entry point against the CLI: the same spec trained through <see cref="TrainingSession"/> and
/// through <c>modelzoo train</c> gives the same metrics; a run written by the previous release resumes; the policy's
/// choices (batch size for small data, lr scaling, the layout default) are the library's, so a library user gets them.
/// </summary>
[RestoresTorchThreads]
[NonParallelizable]
public class TrainingSessionTests
{
    private static readonly string[] Timing = ["seconds", "images_per_second", "rss_mb"];

    /// <summary>metrics.jsonl without the fields that measure the machine rather than the training.</summary>
    private static List<string> Metrics(string runDir) => File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Select(line =>
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
        foreach (var field in Timing) node.Remove(field);
        return node.ToJsonString();
    }).ToList();

    [Test]
    public async Task TheLibraryEntryPointAndModelzooTrainGiveIdenticalMetrics()
    {
        string viaCli = Path.Combine(TinyNets.TempDir(), "cli");
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "2", "--max-steps", "6",
            "--batch-size", "32", "--threads", "2", "--augment", "mnist", "--no-tensorboard", "--output", viaCli);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        string viaLibrary = Path.Combine(TinyNets.TempDir(), "library");
        var request = new TrainingRequest
        {
            Layers = [RunSpecLayer.FromCode(s => s with
            {
                Model = "deepcnn",
                Data = "mnist-sample",
                Training = s.Training with { Epochs = 2, MaxStepsPerEpoch = 6, BatchSize = 32, Threads = 2, TensorBoard = false },
                DataOptions = s.DataOptions with { Augment = "mnist" },
            })],
            RunDirectory = viaLibrary,
        };
        using (var session = TrainingSession.Prepare(request))
        {
            Assert.That(session.Plan.Notes, Has.Some.Contains("lr scaled linearly"), "the library scales the recipe's rate for batch 32 itself");
            Assert.That(session.Trainer.Options.ChannelsLast, Is.True, "and picks the layout default itself");
            var result = session.Run();
            Assert.That(result.Status, Is.EqualTo(TrainingStatus.Completed));
        }
        Assert.That(Metrics(viaLibrary), Is.EqualTo(Metrics(viaCli)), "same spec, same run: metrics.jsonl equal but for timing fields");
        var a = RunConfiguration.Load(viaCli).Spec.ToJson();
        var b = RunConfiguration.Load(viaLibrary).Spec.ToJson();
        Assert.That(b.ToJsonString(), Is.EqualTo(a.ToJsonString()), "and the same recorded spec");
    }

    [Test]
    public async Task ARunOfThePreviousReleaseResumesAndItsConfigIsARecipe()
    {
        // Written by the release before the run spec (tests/ModelZoo.Tests/Fixtures/runs/README.md): old config.json form,
        // the checkpoint's training section with the retired progressInterval.
        string fixture = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "runs", "v0.1-deepcnn");
        string run = Path.Combine(TinyNets.TempDir(), "old-run");
        CopyFolder(fixture, run);
        var (code, _, err) = await CliHarness.Run("train", "--resume", run, "--epochs", "3", "--threads", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        var after = RunConfiguration.Load(run);
        Assert.That(after.Training.Epochs, Is.EqualTo(3));
        Assert.That((after.DataOptions.Augment, after.DataOptions.ValidationSplit, after.Training.EmaDecay, after.Training.BatchSize),
            Is.EqualTo(("light", 0.1, (double?)0.9, 20)), "the recorded options, read from the old form, carry over");
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()),
            Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(Checkpoint.ReadInfo(run).Epoch, Is.EqualTo(3));

        // The old config.json, given as a recipe, plans the same spec the old run recorded.
        var (printed, stdout, perr) = await CliHarness.Run("train", "--config", Path.Combine(fixture, "config.json"), "--print-config");
        Assert.That(printed, Is.EqualTo(ExitCodes.Success), perr);
        var training = JsonDocument.Parse(stdout).RootElement.GetProperty("training");
        Assert.That((training.GetProperty("batchSize").GetInt32(), training.GetProperty("learningRate").GetDouble(), training.GetProperty("emaDecay").GetDouble()),
            Is.EqualTo((20, 0.0002, 0.9)));
    }

    [Test]
    public async Task PrintConfigRoundTripsThroughConfigAndConfigJsonIsARecipe()
    {
        var (code, first, err) = await CliHarness.Run("train", "--model", "resnet18", "--data", "mnist-sample", "--lr", "0.05", "--mixup", "0.2",
            "--no-channels-last", "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string file = Path.Combine(TinyNets.TempDir(), "printed.json");
        File.WriteAllText(file, first);
        var (again, second, err2) = await CliHarness.Run("train", "--config", file, "--print-config");
        Assert.That(again, Is.EqualTo(ExitCodes.Success), err2);
        Assert.That(second, Is.EqualTo(first), "--print-config -> --config -> --print-config is the identity");
        var spec = JsonDocument.Parse(first).RootElement;
        Assert.That(spec.GetProperty("training").GetProperty("channelsLast").GetBoolean(), Is.False, "an explicit value is kept");
        Assert.That(spec.GetProperty("training").GetProperty("learningRate").GetDouble(), Is.EqualTo(0.05), "a typed rate is never scaled");
        Assert.That(spec.EnumerateObject().Select(p => p.Name), Is.EqualTo(RunSpecComposerFields));
    }

    private static readonly string[] RunSpecComposerFields = ["model", "modelOptions", "data", "dataOptions", "training", "pretrained", "recipe"];

    [Test]
    public void ErrorsNameTheOptionAsItsSourceSpelledIt()
    {
        var cli = new RunSpecLayer(RunSpecLayerKind.CommandLine, "the command line",
            new System.Text.Json.Nodes.JsonObject { ["training"] = new System.Text.Json.Nodes.JsonObject { ["epochs"] = 0, ["learningRate"] = -1 } },
            new Dictionary<string, string> { ["training.epochs"] = "--epochs", ["training.learningRate"] = "--lr" });
        var e = Assert.Throws<RunSpecException>(() => RunSpecComposer.Compose([cli]))!;
        Assert.That(e.Problems, Is.EqualTo(new[] { "--epochs must be at least 1, got 0", "--lr must be positive and finite, got -1" }));

        var code = RunSpecLayer.FromCode(s => s with { Training = s.Training with { BackboneLearningRate = 0.01, FreezeBackbone = true } });
        e = Assert.Throws<RunSpecException>(() => RunSpecComposer.Compose([code]))!;
        Assert.That(e.Message, Is.EqualTo("BackboneLearningRate and FreezeBackbone exclude each other: a frozen backbone has no learning rate"));

        var file = RunSpecLayer.FromJson(System.Text.Json.Nodes.JsonNode.Parse("""{ "training": { "optimizer": "rmsprop" }, "dataOptions": { "augment": "imagnet" } }""")!.AsObject(), "r.json");
        e = Assert.Throws<RunSpecException>(() => RunSpecComposer.Compose([file]))!;
        Assert.That(e.Message, Does.Contain("training.optimizer in r.json must be sgd, momentum, nesterov, adagrad, adam or adamw, not 'rmsprop'"));
        Assert.That(Assert.Throws<RunSpecException>(() => RunSpecComposer.Compose([RunSpecLayer.FromJson(
            System.Text.Json.Nodes.JsonNode.Parse("""{ "dataOptions": { "augment": "imagnet" } }""")!.AsObject(), "r.json")]))!.Message,
            Does.Contain("dataOptions.augment in r.json must be").And.Contain("did you mean 'imagenet'"));
    }

    [Test]
    public void ASmallFolderGetsASmallerBatchAndAScaledRateWhileExplicitValuesWin()
    {
        string folder = TestPaths.Imagenette;
        var plan = TrainingSession.MakePlan(new TrainingRequest
        {
            Layers = [RunSpecLayer.FromCode(s => s with { Model = "resnet18", Data = folder, Training = s.Training with { Epochs = 5 } })],
        });
        var t = plan.Spec.Training;
        Assert.That(plan.Data.TrainSamples, Is.EqualTo(300));
        Assert.That(t.BatchSize, Is.EqualTo(16), "300 images: the recipe's 256 would be 2 steps an epoch");
        Assert.That(t.LearningRate, Is.EqualTo(0.1 * 16 / 256).Within(1e-12), "the recipe's 0.1 at 256, scaled to 16");
        Assert.That(plan.Notes, Has.Some.StartsWith("batch size 16 (recipe 256): 300 training images"));
        Assert.That(plan.Notes, Has.Some.StartsWith("lr scaled linearly"));

        var given = TrainingSession.MakePlan(new TrainingRequest
        {
            Layers = [RunSpecLayer.FromCode(s => s with { Model = "resnet18", Data = folder, Training = s.Training with { BatchSize = 64, LearningRate = 0.2 } })],
        });
        Assert.That((given.Spec.Training.BatchSize, given.Spec.Training.LearningRate), Is.EqualTo((64, 0.2)), "the caller's values win");

        var tight = TrainingSession.MakePlan(new TrainingRequest
        {
            Layers = [RunSpecLayer.FromCode(s => s with { Model = "resnet50", Data = "fashion-mnist" })],
            MemoryBudget = 400L << 20,
        });
        Assert.That(tight.Spec.Training.BatchSize, Is.LessThan(128), "a budget too small for the recipe's batch gets a smaller one");
        Assert.That(tight.Notes, Has.Some.Contains("this run's budget"));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
