using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using ModelZoo.Tests.Training;
using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Cli;

/// <summary>Issue 17 through <c>modelzoo</c>: the technique flags, --config/--print-config, shipped recipes, lr scaling, warnings, --ema on evaluate/export.</summary>
[RestoresTorchThreads]
public class RecipeCommandTests
{
    private static readonly string[] TechniqueFlags =
    [
        "--config", "--print-config", "--clip-grad", "--clip-grad-value", "--accum-steps", "--no-decay-norm-bias", "--ema", "--ema-warmup",
        "--mixup", "--cutmix", "--mix-prob", "--mix-switch-prob", "--no-lr-scale",
    ];

    /// <summary>300 digits at the requested batch size and a validation split of <paramref name="validation"/> digits.</summary>
    private sealed class SmallProvider(int validation) : IDataProvider
    {
        public TrainingData Open(DataRequest request, int batchSize) => new TrainingData(
            new DigitBatches(0, 300, Math.Min(batchSize, 300)), new DigitBatches(7000, validation, validation, shuffle: false),
            Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            Normalization.Mnist, 1, 28, "300 training digits (test provider)");
    }

    private static string WriteRecipe(string json)
    {
        string path = Path.Combine(TinyNets.TempDir(), "recipe.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static JsonElement Training(string printed) => JsonDocument.Parse(printed).RootElement.GetProperty("training");

    [Test]
    public async Task HelpShowsEveryTechniqueFlag()
    {
        var (code, output, _) = await CliHarness.Run("train", "--help");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (var flag in TechniqueFlags) Assert.That(output, Does.Contain(flag));
        foreach (var command in new[] { "evaluate", "export" })
        {
            var help = await CliHarness.Run(command, "--help");
            Assert.That(help.Out, Does.Contain("--ema"), command);
        }
    }

    [Test]
    public async Task PrintConfigMergesTheRecipeFileUnderTheFlagsAndDoesNotTrain()
    {
        string recipe = WriteRecipe("""
            { "model": "deepcnn", "data": "mnist-sample", "dropout": 0.1,
              "training": { "epochs": 3, "batchSize": 50, "learningRate": 0.002, "emaDecay": 0.99, "mixupAlpha": 0.2 },
              "augment": "light" }
            """);
        string dir = Path.Combine(TinyNets.TempDir(), "run");
        var (code, output, err) = await CliHarness.Run("train", "--config", recipe, "--epochs", "5", "--clip-grad", "2", "--output", dir, "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(Directory.Exists(dir), Is.False, "--print-config trains nothing");
        var training = Training(output);
        Assert.That(training.GetProperty("epochs").GetInt32(), Is.EqualTo(5), "the flag beats the file");
        Assert.That(training.GetProperty("learningRate").GetDouble(), Is.EqualTo(0.002), "the file beats the built-in recipe (no scaling: the file's batch is the recipe)");
        Assert.That(training.GetProperty("batchSize").GetInt32(), Is.EqualTo(50));
        Assert.That(training.GetProperty("emaDecay").GetDouble(), Is.EqualTo(0.99));
        Assert.That(training.GetProperty("clipGradNorm").GetDouble(), Is.EqualTo(2));
        Assert.That(training.GetProperty("optimizer").GetString(), Is.EqualTo("adam"), "the built-in deepcnn recipe underneath");
        using var root = JsonDocument.Parse(output);
        Assert.That(root.RootElement.GetProperty("dataOptions").GetProperty("augment").GetString(), Is.EqualTo("light"), "a recipe in the previous release's form still reads");
        Assert.That(root.RootElement.GetProperty("modelOptions").GetProperty("dropout").GetDouble(), Is.EqualTo(0.1));

        // What it prints is itself a recipe: reading it back gives the same options.
        string printed = WriteRecipe(output);
        var again = await CliHarness.Run("train", "--config", printed, "--print-config");
        Assert.That(again.Code, Is.EqualTo(ExitCodes.Success), again.Err);
        Assert.That(Training(again.Out).ToString(), Is.EqualTo(training.ToString()));
    }

    [Test]
    public async Task RecipeFileErrorsNameTheProblem()
    {
        // A recipe file's unknown field or bad value is a usage error with a "did you mean", like an unknown option.
        var (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipe("""{ "model": "deepcnn", "data": "mnist-sample", "training": { "learningRat": 0.1 } }"""), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("learningRat").And.Contain("did you mean 'learningRate'"));
        (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipe("""{ "modle": "deepcnn" }"""), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("modle").And.Contain("did you mean 'model'"));
        (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipe("""{ "model": "deepcnn", "data": "mnist-sample", "training": { "emaDecay": 1.5 } }"""), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("training.emaDecay in ").And.Contain("recipe.json must be in [0, 1)"));
        (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipe("""{ "model": "deepcnn", "data": "mnist-sample", "training": { "optimizer": "rmsprop" } }"""), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("training.optimizer in ").And.Contain("'rmsprop'"));
        (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipe("""{ "training": { "epochs": 1 } }"""), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("--model is required"));
    }

    [Test]
    public async Task EveryShippedRecipeLoadsAndPrints()
    {
        var files = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "recipes")).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).ToList();
        Assert.That(files.Select(Path.GetFileName), Does.Contain("deepcnn-mnist.json").And.Contain("deepcnn-mnist-modern.yaml"));
        foreach (var file in files)
        {
            var recipe = RecipeFiles.Load(file);
            Assert.That(recipe.Values["model"], Is.Not.Null, file);
            var (code, output, err) = await CliHarness.Run("train", "--config", file, "--data", "mnist-sample", "--print-config");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), file + ": " + err);
            var training = Training(output);
            foreach (var field in recipe.Paths().Where(p => p.StartsWith("training.", StringComparison.Ordinal)).Select(p => p["training.".Length..]).Where(f => f != "learningRate"))
                Assert.That(training.TryGetProperty(field, out _), Is.True, $"{file}: {field}");
        }
        var seed = Training((await CliHarness.Run("train", "--config", Path.Combine(TestPaths.RepoRoot, "recipes", "deepcnn-mnist.json"), "--print-config")).Out);
        Assert.That(seed.GetProperty("learningRate").GetDouble(), Is.EqualTo(1e-3));
        Assert.That(seed.GetProperty("epochs").GetInt32(), Is.EqualTo(20));
    }

    [Test]
    public async Task AYamlRecipeIsTheSameAsItsJson()
    {
        string recipes = Path.Combine(TestPaths.RepoRoot, "recipes");
        var json = await CliHarness.Run("train", "--config", Path.Combine(recipes, "deepcnn-mnist-modern.json"), "--print-config");
        var yaml = await CliHarness.Run("train", "--config", Path.Combine(recipes, "deepcnn-mnist-modern.yaml"), "--print-config");
        Assert.That(yaml.Code, Is.EqualTo(ExitCodes.Success), yaml.Err);
        Assert.That(Training(yaml.Out).ToString(), Is.EqualTo(Training(json.Out).ToString()));
        Assert.That(Training(yaml.Out).GetProperty("emaWarmup").GetBoolean(), Is.True);
        Assert.That(Training(yaml.Out).GetProperty("cutMixAlpha").GetDouble(), Is.EqualTo(1.0));

        var (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipeAs("bad.yaml", "model: deepcnn\ndata: mnist-sample\ntraining:\n  emaDecay: fast\n"), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("bad.yaml"));
        (code, _, err) = await CliHarness.Run("train", "--config", WriteRecipeAs("broken.yml", "model: [deepcnn\n"), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("not valid YAML"));
    }

    private static string WriteRecipeAs(string name, string text)
    {
        string path = Path.Combine(TinyNets.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestCase(new string[0], 1e-3, false)]
    [TestCase(new[] { "--batch-size", "50" }, 5e-4, true)]
    [TestCase(new[] { "--batch-size", "50", "--accum-steps", "4" }, 2e-3, true)]
    [TestCase(new[] { "--batch-size", "50", "--lr", "0.01" }, 0.01, false)]
    [TestCase(new[] { "--batch-size", "50", "--no-lr-scale" }, 1e-3, false)]
    public async Task TheLearningRateScalesLinearlyWithTheEffectiveBatch(string[] extra, double lr, bool message)
    {
        var (code, output, err) = await CliHarness.Run(["train", "--model", "deepcnn", "--data", "mnist-sample", "--print-config", .. extra]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(Training(output).GetProperty("learningRate").GetDouble(), Is.EqualTo(lr).Within(1e-15));
        Assert.That(err.Contains("lr scaled linearly", StringComparison.Ordinal), Is.EqualTo(message), err);
    }

    [Test]
    public async Task FewStepsPerEpochAndATinyValidationSplitWarn()
    {
        string dir = TinyNets.TempDir();
        var (code, output, err) = await CliHarness.Run(new SmallProvider(validation: 5), "train", "--model", "deepcnn", "--data", "mnist-sample",
            "--batch-size", "150", "--epochs", "1", "--threads", "1", "--no-tensorboard", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(output, Does.Contain("warning: an epoch is only 2 optimiser steps"));
        Assert.That(output, Does.Contain("warning: the validation split has 5 images for 10 classes"));

        var quiet = await CliHarness.Run(new SmallProvider(validation: 20), "train", "--model", "deepcnn", "--data", "mnist-sample",
            "--batch-size", "20", "--epochs", "1", "--max-steps", "1", "--threads", "1", "--no-tensorboard", "--output", TinyNets.TempDir());
        Assert.That(quiet.Code, Is.EqualTo(ExitCodes.Success), quiet.Err);
        Assert.That(quiet.Out, Does.Not.Contain("warning:"), "15 steps per epoch, 20 validation images for 10 classes");
    }

    private static readonly string[] Everything =
    [
        "train", "--model", "deepcnn", "--data", "mnist-sample", "--max-steps", "3", "--threads", "1", "--no-tensorboard", "--batch-size", "50",
        "--optimizer", "adamw", "--weight-decay", "0.05", "--no-decay-norm-bias", "--schedule", "cosine", "--warmup-epochs", "0.5",
        "--label-smoothing", "0.1", "--clip-grad", "1", "--clip-grad-value", "0.5", "--accum-steps", "2",
        "--ema", "0.99", "--ema-warmup", "--mixup", "0.8", "--cutmix", "1.0", "--mix-prob", "0.9", "--mix-switch-prob", "0.5",
    ];

    private static float[] Weights(string checkpoint, bool ema)
    {
        var (model, _) = Checkpoint.LoadModel(checkpoint, ema);
        using (model)
        {
            using var scope = NewDisposeScope();
            return model.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.flatten().data<float>().ToArray()).ToArray();
        }
    }

    [Test, Category("NeedsZoo")]
    public async Task EveryTechniqueTogetherRunsRecordsAndResumesExactly()
    {
        string straight = TinyNets.TempDir();
        var (code, _, err) = await CliHarness.Run([.. Everything, "--epochs", "2", "--output", straight]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        string split = TinyNets.TempDir();
        (code, _, err) = await CliHarness.Run([.. Everything, "--epochs", "1", "--output", split]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        (code, _, err) = await CliHarness.Run("train", "--resume", split, "--epochs", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);

        string a = Path.Combine(straight, "checkpoints", "last.ckpt"), b = Path.Combine(split, "checkpoints", "last.ckpt");
        Assert.That(Weights(b, ema: false), Is.EqualTo(Weights(a, ema: false)), "raw weights after resume");
        Assert.That(Weights(b, ema: true), Is.EqualTo(Weights(a, ema: true)), "EMA weights after resume");
        Assert.That(Weights(a, ema: true), Is.Not.EqualTo(Weights(a, ema: false)));

        var recorded = RunConfiguration.Load(straight).Training;
        Assert.That(recorded, Is.EqualTo(recorded with
        {
            ClipGradNorm = 1, ClipGradValue = 0.5, AccumulationSteps = 2, NoDecayNormAndBias = true, EmaDecay = 0.99, EmaWarmup = true,
            MixupAlpha = 0.8, CutMixAlpha = 1.0, MixProbability = 0.9, MixSwitchProbability = 0.5, LabelSmoothing = 0.1,
        }), "config.json records every technique");
        Assert.That(recorded.ClipGradNorm, Is.EqualTo(1));
        var metrics = File.ReadAllLines(Path.Combine(straight, "metrics.jsonl"));
        Assert.That(metrics, Has.Length.EqualTo(2));
        Assert.That(metrics, Has.All.Contain("\"val_acc_ema\":"));
        Assert.That(JsonDocument.Parse(metrics[1]).RootElement.GetProperty("step").GetInt64(), Is.EqualTo(6), "3 optimiser steps of 2 micro-batches per epoch");

        var raw = await CliHarness.Run("evaluate", "--checkpoint", a, "--json", "--output", TinyNets.TempDir());
        var ema = await CliHarness.Run("evaluate", "--checkpoint", a, "--ema", "--json", "--output", TinyNets.TempDir());
        Assert.That(raw.Code, Is.EqualTo(ExitCodes.Success), raw.Err);
        Assert.That(ema.Code, Is.EqualTo(ExitCodes.Success), ema.Err);
        double Loss(string json) => JsonDocument.Parse(json).RootElement.GetProperty("loss").GetDouble();
        Assert.That(Loss(ema.Out), Is.Not.EqualTo(Loss(raw.Out)), "--ema evaluates other weights");

        string exported = Path.Combine(TinyNets.TempDir(), "ema.safetensors");
        var export = await CliHarness.Run("export", "--checkpoint", a, "--ema", "--format", "safetensors", "--output", exported);
        Assert.That(export.Code, Is.EqualTo(ExitCodes.Success), export.Err);
        Assert.That(File.Exists(exported));
    }
}
